"""Pandoc's and Quarto's Markdown beyond CommonMark, as markdown-it rules: one rule per module.

mdit-py-plugins gives footnotes and definition lists as pandoc writes them;
where its other plugins read a different syntax than pandoc (djot's
attributes, MyST's math labels, GitHub's task lists with random ids), the
rule here is our own, following pandoc's reader. :func:`pandoc_markdown`
installs them all, in the order they must run.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin

from .captions import captions_plugin
from .crossrefs import crossrefs_plugin
from .divs import divs_plugin
from .example_lists import example_lists_plugin
from .grid_tables import grid_tables_plugin
from .heading_attrs import heading_attrs_plugin
from .inline_attrs import inline_attrs_plugin
from .line_blocks import line_blocks_plugin
from .math import math_plugin
from .simple_tables import simple_tables_plugin
from .subsup import subsup_plugin
from .task_lists import task_lists_plugin


def pandoc_markdown(md: MarkdownIt) -> None:
    """Add pandoc's block and inline syntax to ``md``, which already has footnotes and citations."""
    md.use(divs_plugin)
    md.use(grid_tables_plugin)
    md.use(simple_tables_plugin)
    md.use(line_blocks_plugin)
    md.use(example_lists_plugin)
    md.use(deflist_plugin)
    md.use(captions_plugin)  # before the definition lists: ": Caption" beside a table is no definition
    md.use(heading_attrs_plugin)
    md.use(math_plugin)
    md.use(subsup_plugin)
    md.use(inline_attrs_plugin)
    md.use(task_lists_plugin)
    md.use(crossrefs_plugin)
