"""Form fields every form shares."""

from __future__ import annotations

from wtforms import BooleanField


class Checkbox(BooleanField):
    """A tick box. A browser sends it checked or not at all; anything else that
    reads as "no" (open_call=0, =off, =false) is false too, never true."""

    false_values = ("false", "0", "n", "no", "off", "")

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0].strip().casefold() not in self.false_values
