"""An SVG picture rebuilt from an allow-list: what the editions ship instead of the author's file.

An SVG is a document to a browser: it can run scripts, fetch stylesheets, fonts and images, and
hide all of that behind entities, another encoding (UTF-16) or CSS escapes (``@\\69mport``,
``u\\72l(``). Judging the bytes as written misses what a parser makes of them. So the file is
parsed as XML (no DTD loaded, no entity expanded, nothing fetched), refused with a reason when it
holds something that runs or fetches, and written again from the parsed tree, element by element
and attribute by attribute, keeping only the names listed here; CSS is judged with its escapes
decoded and its comments removed. Whatever this module does not know (an editor's metadata, a
processing instruction, a DOCTYPE) never reaches a reader.
"""

from __future__ import annotations

import re

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset("""
    svg g defs symbol use switch title desc style
    path rect circle ellipse line polyline polygon text tspan textPath image
    linearGradient radialGradient stop pattern clipPath mask marker
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence
""".split())
"""SVG elements a picture keeps. Any other element is left out of the rebuilt file, with what it holds."""

REFUSED = frozenset("""
    script foreignObject iframe object embed handler listener a animate animateMotion
    animateTransform animateColor set discard audio video canvas cursor font-face-uri
""".split())
"""Elements that run code, embed documents, link or change attributes over time (``<set>`` can make
an ``href`` a ``javascript:`` URL): the file is refused, in whatever namespace they stand."""

ATTRIBUTES = frozenset("""
    id class style transform viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx ry
    d points pathLength fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap
    stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color display
    visibility overflow clip clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits
    filter filterUnits primitiveUnits in in2 result stdDeviation dx dy rotate lengthAdjust textLength
    font-family font-size font-size-adjust font-style font-weight font-variant font-stretch font
    text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
    text-decoration writing-mode direction unicode-bidi startOffset method spacing side
    gradientUnits gradientTransform spreadMethod fx fy fr offset stop-color stop-opacity
    patternUnits patternContentUnits patternTransform markerWidth markerHeight markerUnits refX refY
    orient marker marker-start marker-mid marker-end mode operator k1 k2 k3 k4 values type
    tableValues slope intercept amplitude exponent baseFrequency numOctaves seed stitchTiles scale
    xChannelSelector yChannelSelector radius flood-color flood-opacity lighting-color surfaceScale
    diffuseConstant specularConstant specularExponent kernelMatrix kernelUnitLength order divisor
    bias targetX targetY edgeMode preserveAlpha azimuth elevation z pointsAtX pointsAtY pointsAtZ
    limitingConeAngle shape-rendering text-rendering image-rendering color-interpolation
    color-interpolation-filters color-rendering isolation mix-blend-mode vector-effect paint-order
    systemLanguage version baseProfile role lang href media
""".split())
"""Attributes (without a namespace) a picture keeps; ``href`` only as a reference inside the file."""

NAMESPACED = {f"{{{XLINK_NS}}}href": "xlink:href", f"{{{XML_NS}}}space": "xml:space",
              f"{{{XML_NS}}}lang": "xml:lang"}
"""Namespaced attributes a picture keeps, with how they are written."""

MAX_DEPTH = 64
"""Elements nested deeper than this are refused: no picture needs it, and laying it out would
exhaust the stack (libxml2 refuses beyond 256 itself)."""

_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\r\n|[\n\r\f])|(.))", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_FETCHES = re.compile(r"@import|@namespace|@font-face|(?<![a-z0-9-])(?:url|src|image|image-set|"
                          r"-webkit-image-set|cross-fade|element|expression)\((?!['\"]?#)|behavior:|binding:")
"""What CSS may not say in a picture: import, declare fonts, or name anything but ``url(#id)``."""


class Refused(Exception):
    """An SVG that is not a plain picture; the message says why."""


def _css_unescaped(text: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return "" if m.group(2) else m.group(3)
    return _CSS_ESCAPE.sub(one, text)


def css_problem(text: str) -> str:
    """What a piece of CSS (a ``<style>``, a ``style=`` or a presentation attribute) would fetch,
    judged as a browser reads it: escapes decoded, comments removed, case and spaces ignored."""
    for form in (_CSS_COMMENT.sub("", _css_unescaped(text)), _css_unescaped(_CSS_COMMENT.sub("", text))):
        squashed = re.sub(r"\s+", "", form).lower()
        found = _CSS_FETCHES.search(squashed)
        if found:
            return f"'{found.group(0).rstrip('(')}'"
    return ""


def rebuild(data: bytes) -> bytes:
    """The picture in ``data`` written again from the allow-lists, as UTF-8; :class:`Refused` says
    why it cannot be."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as exc:
        raise Refused(f"is not well-formed SVG ({exc.msg})") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise Refused("declares XML entities, which an SVG picture does not need")
    source = tree.getroot()
    if source.tag != f"{{{SVG_NS}}}svg":
        raise Refused("is not an SVG file (its root element is not <svg> in the SVG namespace)")
    root = etree.Element(source.tag, nsmap={None: SVG_NS, "xlink": XLINK_NS})
    _copy(source, root, 1)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _copy(source, target, depth: int) -> None:
    """The allowed attributes and content of ``source`` into ``target``, each child checked."""
    from lxml import etree

    name = etree.QName(source).localname
    if depth > MAX_DEPTH:
        raise Refused(f"nests its elements more than {MAX_DEPTH} deep")
    for attr, value in source.attrib.items():
        qname = etree.QName(attr)
        local = qname.localname
        if local.lower().startswith("on"):
            raise Refused(f"has an event handler '{local}' on <{name}>")
        if local == "href" and qname.namespace in (None, XLINK_NS) and not value.strip().startswith("#"):
            raise Refused(f"refers to '{_short(value)}' from <{name}>; an SVG in a book must be self-contained")
        problem = css_problem(value)
        if problem:
            raise Refused(f"refers to another file with {problem} in the {local} of <{name}>")
        if qname.namespace is None and local in ATTRIBUTES:
            target.set(local, value)
        elif attr in NAMESPACED:
            target.set(attr, value)
    if name == "style":
        problem = css_problem(source.text or "")
        if problem:
            raise Refused(f"has a <style> that refers to other files ({problem})")
    target.text = source.text
    for child in source:
        if not isinstance(child.tag, str):  # an entity left unexpanded
            raise Refused("uses an XML entity, which an SVG picture does not need")
        child_name = etree.QName(child).localname
        if child_name in REFUSED:
            raise Refused(f"holds a <{child_name}> element; an SVG picture may not run code, link, "
                          "animate or embed documents")
        if etree.QName(child).namespace == SVG_NS and child_name in ELEMENTS:
            copy = etree.SubElement(target, child.tag)
            _copy(child, copy, depth + 1)
            copy.tail = child.tail
        else:
            _check_dropped(child)
            _append_text(target, child.tail)


def _check_dropped(element) -> None:
    """An element left out is still searched for what would have to be refused inside it, so that
    an SVG is refused for the same things whether or not they hide under foreign markup."""
    from lxml import etree

    for inner in element.iter():
        if not isinstance(inner.tag, str):
            continue
        if etree.QName(inner).localname in REFUSED:
            raise Refused(f"holds a <{etree.QName(inner).localname}> element; an SVG picture may not run "
                          "code, link, animate or embed documents")


def _append_text(target, text: str | None) -> None:
    if not text:
        return
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
