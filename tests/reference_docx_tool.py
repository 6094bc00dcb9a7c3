"""docs/make_reference_docx.py, the generator of the DOCX styles, which the
package does not ship, loaded for the tests that check its output."""

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "docs" / "make_reference_docx.py"
_spec = importlib.util.spec_from_file_location("make_reference_docx", _PATH)
make_reference_docx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_reference_docx)

BODY_FONT = make_reference_docx.BODY_FONT
COMPLEX_SCRIPT_FONT = make_reference_docx.COMPLEX_SCRIPT_FONT
STYLES_USED = make_reference_docx.STYLES_USED
write_reference = make_reference_docx.write_reference
