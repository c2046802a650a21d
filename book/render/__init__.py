"""The render stage: a :class:`~book.model.Manuscript` becomes HTML for one medium.

Jinja renders ``templates/<medium>/`` (:mod:`.templates`); templates decide the
look. Python only does what a template cannot: move footnotes into the text
flow for print (:mod:`.print`), point ``#id`` links at the document that holds
the id in multi-file editions (:mod:`.ebook`, :mod:`.web`), turn the index into
page numbers or numbered marks (:mod:`.indexview`), and typeset metadata
(:mod:`.text`). :mod:`.fontcheck` finds characters the pinned fonts cannot show.
"""

from .ebook import EBOOK_INDEX, Document, render_ebook, render_ebook_index, retarget
from .print import notes_in_flow, render_print, render_print_index
from .templates import environment
from .text import print_text, roman, smart

__all__ = ["EBOOK_INDEX", "Document", "environment", "notes_in_flow", "print_text", "render_ebook",
           "render_ebook_index", "render_print", "render_print_index", "retarget", "roman", "smart"]
