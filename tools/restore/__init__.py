"""Face restoration: ``restore_face`` with a classical backend and CodeFormer, inside feathered face masks."""
