"""describe_punk: attributes of a 24×24 punk portrait with calibrated confidences."""
