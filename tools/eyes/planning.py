"""What the planners and the chat know about the two eye tools: phrasings, keyword rules, argument cues, cards."""

from __future__ import annotations

from typing import Any

from atelier.core.cards import Card, CardImage, Row, Table
from atelier.core.registry import ArgCue, PlannerHints, Rule

EYES = r"\b(eyes?|blink\w*|eyelids?|shut)\b"
ASKS = (r"^(who|which|what|are|is|did|does|do|has|have|how many|how|can you tell|tell me|check|detect|find|count|"
        r"see if|any)\b|\?$|\b(closed|shut)\?*$|\b(closed|shut)\b.*\b(anywhere|anyone|here|in (?:it|this|here))$|"
        r"\b(?:blink|eyes?) check\b|\bcheck (?:whether|if|that)\b")
WANTS_FIX = r"\b(open|fix|unblink|remove)\b.*\b(eyes?|blink)"
OPENS = (r"\bopen(?:ed|ing)?\b|\bunblink|\b(fix|remove|undo|get rid of|correct)\b.*"
         r"\b(blink|closed|shut)|\b(fix|correct|repair)\b.{0,20}\beyes\b")
# Both eye tools take a clip too; these rules come before the "no tool edits videos" check
VIDEO = r"\b(videos?|clips?|footage|film|movie|recording|mp4)\b"
VOCABULARY = ("open", "eyes", "eye", "blink", "blinking", "blinked", "closed",
              # other languages' words for these (the planner translates them before reading)
              "ogen=eyes", "ojos=eyes", "ojo=eye",
              "yeux=eyes", "oeil=eye", "augen=eyes", "auge=eye", "occhi=eyes", "occhio=eye",
              "abre=open", "abrir=open", "abra=open", "ouvre=open", "ouvrir=open", "ouvrez=open", "offne=open",
              "oeffne=open", "offnen=open", "apri=open", "aprire=open", "cerrados=closed", "cerrado=closed",
              "fermes=closed", "ferme=closed", "geschlossen=closed", "chiusi=closed", "chiuso=closed",
              "parpadea=blinks", "parpadeo=blink", "cligne=blinks", "blinzelt=blinks", "sbatte=blinks",
              "olhos=eyes", "olho=eye", "abre os=open the", "abrir os=open the", "fechados=closed", "pisca=blinks",
              "piscou=blinked", "abiertos=open", "abiertas=open", "ouverts=open", "offen=open",
              "aperti=open", "abertos=open", "dicht=closed", "knippert=blinks", "oczy=eyes",
              "oko=eye", "otworz=open", "otwarte=open", "zamkniete=closed", "mruga=blinks", "mrugnal=blinked",
              "mrugnela=blinked", "gozler=eyes", "gozleri=eyes", "gozlerini=eyes", "goz=eye", "ac=open",
              "acik=open", "kapali=closed", "kirpti=blinked", "ogon=eyes", "ogonen=eyes", "oppna=open",
              "oppen=open", "stangda=closed", "blinkade=blinked")

DETECT_EXAMPLES = (
    "who is blinking", "are her eyes closed", "did anyone blink in this photo", "check if the eyes are open",
    "detect closed eyes", "how many people have their eyes shut", "is anyone blinking",
    "which faces have closed eyes", "find the blinkers in this group shot",
)
# "her eyes are shut in this one": said, not asked, about the attachment: a fix is wanted
CLOSED_SAID = (r"(?:^|\b(?:but|and|though|because|since|where|except)\s+)(?:(?:oh|ugh|so|hmm|sadly|"
               r"unfortunately),?\s+)*(?:her|his|their|my|our|the|everyone'?s|"
               r"[a-z]+'s)\s+(?:\w+\s+)?eyes\s+(?:are|were|got|look|came out)\s+(?:\w+\s+)?(?:closed|shut|"
               r"half[- ]?closed)\b|"
               r"^(?:she|he|they|i|we|someone|somebody) (?:blinked|closed (?:her|his|their|my|our) eyes)\b")
# "her eyes are open there": which photo has open eyes (a reference), not a request to open them
OPEN_SAID = (r"^(?:and |but )?(?:her|his|their|the|everyone'?s|[a-z]+'s) eyes (?:are|were|is) (?:wide )?open "
             r"(?:there|in (?:it|that|this|that one|the \w+ (?:one|photo|picture|image|shot)))\b")
DETECT_HINTS = PlannerHints(
    rules=(Rule(30, all=(EYES, ASKS), none=(WANTS_FIX, CLOSED_SAID)), Rule(30, all=(EYES, ASKS, r"^(are|is)\b")),
           Rule(18, all=(EYES, ASKS, VIDEO), none=(WANTS_FIX,))),
    vocabulary=VOCABULARY,
)
OPEN_EXAMPLES = (
    "open her eyes", "open his eyes", "fix the closed eyes", "she blinked, fix it", "make their eyes open",
    "open the eyes in this photo", "he has his eyes closed, open them", "remove the blink", "unblink this photo",
    "fix the blinking", "open everyone's eyes", "make her look awake with open eyes",
)
OPEN_HINTS = PlannerHints(
    rules=(Rule(31, all=(EYES, OPENS), none=(OPEN_SAID,)), Rule(19, all=(EYES, OPENS, VIDEO)),
           Rule(31, all=(CLOSED_SAID,)),
           # "check for anyone with their eyes closed and fix them": open_eyes finds them itself
           Rule(29, all=(EYES, r"\b(check|find|look for|detect|see)\b.*\b(?:and|then|,)\s+(?:\w+\s+)?"
                               r"(fix|open|correct|repair)\b"),
                none=(r"\b(video|clip|footage)\b",)),
           Rule(28, all=(r"\beyes (?:from|of|in) .{1,30}\b(?:onto|on|to|into|for)\b",)),
           # "my aunt blinked … could you fix the first one using the second?": a fix, the eyes said in the story
           Rule(32, all=(r"\b(fix|repair|correct|sort out|do something about|save|help|rescue|fixable)\b",),
                request_all=(r"\b(blink\w*|(?:eyes?|eyelids) (?:are |were |was )?(?:closed|shut|half[- ]closed)|"
                             r"closed (?:her|his|their|my) eyes)\b",),
                none=(r"\b(face|faces|sprite|pixels?|punk|skin)\b",)),
           # eyes taken from one photo for another: "take the eyes from picture A for picture B"
           Rule(28, all=(r"\b(take|use|borrow|copy|transplant|steal|grab|put|paste)\b.*\beyes\b.*"
                         r"\b(from|of|on|onto|into|for)\b|\b(photo|picture|image|shot|pic) \w+'s eyes\b|"
                         r"\b(use|take|borrow)\b.{0,25}\bfor (the|her|his|their) eyes\b|"
                         r"\b(use|take|borrow)\b.{0,10}\bthe eyes (in|from|of)\b",),
                none=(r"\b(best|everyone|everybody|all|burst|these (photos|shots|pictures|frames))\b",))),
    args=(ArgCue(("eyes",), r"\bboth (?:of (?:her|his|their|the) )?eyes\b|\b(?:redo|fix|open) both\b", "value", "both"),
          ArgCue(("variations",), r"\b(\d+|two|three|four|five|six|seven|eight)\s*(?:variations|variants|versions|"
                                   r"options|takes|tries)\b", "int"),),
    vocabulary=VOCABULARY,
)


def _eyes_in_words(face: dict[str, Any]) -> str:
    closed = face.get("closed_eyes", [])
    if not closed:
        return "eyes open"
    return f"the person's {' and '.join(closed)} eye{'s' if len(closed) > 1 else ''} closed"


def _face_rows(faces: list[dict[str, Any]]) -> Table:
    rows = []
    for face in faces:
        done = ""
        if face.get("error"):
            done = f"not opened: {face['error']['message']}"
        elif face.get("opened"):
            done = f"opened ({face.get('backend')})"
            if face.get("verified_open") is False:
                done += f"; still reads as closed after trying {', '.join(face.get('attempts') or [])}"
            elif face.get("verified_open"):
                done += "; checked: reads as open"
        rows.append((f"face {face['index'] + 1}", _eyes_in_words(face), done))
    return Table("Faces", ("face", "eyes", "done"), tuple(rows))


def _frames_in_words(frames: list[int]) -> str:
    """[3, 4, 5, 9] -> 'frames 4-6, 10' (shown counting from 1)."""
    runs: list[list[int]] = []
    for k in frames:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    words = [f"{r[0] + 1}" if len(r) == 1 else f"{r[0] + 1}-{r[-1] + 1}" for r in runs]
    return f"frame{'s' if len(frames) > 1 else ''} {', '.join(words)}"


def _clip_rows(video: dict[str, Any]) -> list[Row]:
    return [Row("Video", f"{video['frames']} frames, {video['seconds']:g} s at {video['fps']:g} fps, "
                         f"{video['width']}×{video['height']}")]


def _present_clip_detection(result: dict[str, Any]) -> Card:
    out, art = result["outputs"], result["artifacts"]
    closed = out.get("closed_frames", [])
    sentence = (f"Closed eyes in {len(closed)} of {out['video']['frames']} frames: {_frames_in_words(closed)}."
                if closed else f"No one blinks in the {out['video']['frames']} frames of the clip.")
    images = [CardImage(art["frame"], f"frame {out['shown_frame'] + 1}", "before")] if art.get("frame") else []
    if art.get("overlay"):
        images.append(CardImage(art["overlay"], "open (green) and closed (red) eyes", "overlay"))
    return Card("Closed eyes in a video", sentence, [*_clip_rows(out["video"]), Row("Landmarks", result["backend"])],
                images, [_face_rows(out.get("faces", []))])


def present_detection(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out = result["outputs"]
    if "video" in out:
        return _present_clip_detection(result)
    faces = out.get("faces", [])
    blinking = [f for f in faces if f.get("closed_eyes")]
    if not blinking:
        sentence = f"No one is blinking: {len(faces)} face{'s' if len(faces) != 1 else ''}, every eye open."
    else:
        who = ", ".join(f"face {f['index'] + 1}" for f in blinking)
        sentence = f"{len(blinking)} of {len(faces)} face{'s' if len(faces) != 1 else ''} with closed eyes: {who}."
    images = [CardImage(inputs["image"], "the photo", "before")] if inputs.get("image") else []
    if result["artifacts"].get("overlay"):
        images.append(CardImage(result["artifacts"]["overlay"], "open (green) and closed (red) eyes", "overlay"))
    return Card("Closed eyes", sentence, [Row("Landmarks", result["backend"])], images, [_face_rows(faces)])


def eye_box(face: dict[str, Any]) -> tuple[int, int, int, int]:
    """A crop round both eyes of a face record (x0, y0, x1, y1), for a zoomed before/after."""
    (rx, ry), (lx, ly) = face["right_eye"]["centre"], face["left_eye"]["centre"]
    iod = max(8.0, float(face.get("inter_ocular_px") or abs(lx - rx)))
    cx, cy = (rx + lx) / 2, (ry + ly) / 2
    return (max(0, round(cx - 1.1 * iod)), max(0, round(cy - 0.6 * iod)), round(cx + 1.1 * iod), round(cy + 0.6 * iod))


def _present_clip_opened(result: dict[str, Any]) -> Card:
    out, m, art = result["outputs"], result["metrics"], result["artifacts"]
    edited = [d for d in out.get("edited_frames", []) if any(f["opened"] for f in d["faces"])]
    if not out.get("changed"):
        sentence = "No closed eyes could be opened in the clip, so it is returned as it was."
    else:
        sentence = (f"Opened closed eyes in {_frames_in_words([d['frame'] for d in edited])} of "
                    f"{m['frames']}, from the clip's own open-eye frames.")
        if m.get("faces_verified_open", 0) < m.get("faces_opened", 0):
            sentence += " Some still read as closed when checked again; see the table."
    rows = []
    for d in out.get("edited_frames", []):
        for f in d["faces"]:
            if f["opened"]:
                done = f"eyes from frame {f['from_frame'] + 1}" + (
                    "; checked: reads as open" if f["verified_open"] else "; still reads as closed")
            else:
                done = f"not opened: {f['error'] or d['error'] or 'no open frame'}"
            rows.append((f"frame {d['frame'] + 1}", f"face {f['index'] + 1}", done))
    shown = out.get("shown_frame", 0)
    images = [CardImage(art["before"], f"frame {shown + 1}: before", "before")] if art.get("before") else []
    if art.get("image"):
        images.append(CardImage(art["image"], f"frame {shown + 1}: after"))
    notes = ["The edited video is saved with the frames, as an MP4 file."] if art.get("video.mp4") else []
    return Card("Open eyes in a video", sentence, _clip_rows(out["video"]), images,
                [Table("Frames", ("frame", "face", "done"), tuple(rows))], notes=notes)


def present_opened(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out, m = result["outputs"], result["metrics"]
    if "video" in out:
        return _present_clip_opened(result)
    faces = out.get("faces", [])
    if not out.get("changed"):
        sentence = "No closed eyes were found, so nothing was changed."
    else:
        sentence = f"Opened the eyes of {m.get('faces_ok', 0)} face{'s' if m.get('faces_ok') != 1 else ''}"
        sentence += f" ({m.get('faces_failed')} could not be opened)." if m.get("faces_failed") else "."
        unverified = [f for f in faces if f.get("opened") and f.get("verified_open") is False]
        if unverified:
            who = ", ".join(f"face {f['index'] + 1}" for f in unverified)
            sentence += (f" Not verified: {who} still read{'s' if len(unverified) == 1 else ''} as closed when "
                         "checked again; look at the zoomed eyes below.")
    rows = [Row(role.capitalize(), name) for role, name in result.get("backends", {}).items()]
    images = [CardImage(inputs["image"], "before", "before")] if inputs.get("image") else []
    if inputs.get("ref"):
        images.append(CardImage(inputs["ref"], "reference photo", "reference"))
    images.append(CardImage(result["artifacts"]["image"], "after"))
    for face in faces:
        if face.get("opened") and inputs.get("image"):
            box = eye_box(face)
            images += [CardImage(inputs["image"], f"face {face['index'] + 1}: before", "detail", crop=box),
                       CardImage(result["artifacts"]["image"], f"face {face['index'] + 1}: after", "detail", crop=box)]
    images += [CardImage(path, name.replace("_", " "), "variation")
               for name, path in sorted(result["artifacts"].items()) if name.startswith("variation_")]
    return Card("Open eyes", sentence, rows, images, [_face_rows(faces)])
