"""Imported into the forkserver that starts rendering children (pdf.start_method):
importing it warms WeasyPrint up there, once, for every child forked after."""

from .pdf import warm_up

warm_up()
