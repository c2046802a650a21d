"""Issue 3: the edited edition of the essay, checked on the built EPUB and PDF.

The original (../shared/seed, or tests/data/seed if copied) is badly typed; the
edition must spell every word right, keep every figure and date, list every
source and resolve every citation.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, epub_files, normalise
from lxml import etree

SEED = ROOT / "tests" / "data" / "seed.txt"

# Misspellings of the original, a sample from every section: none may survive.
ORIGINAL_TYPOS = [
    "imcreasinly", "histotry", "accordnce", "squagh", "Axus alliamnce", "aggession", "wuith",
    "aggrsssions", "Rapollo", "copperation", "Miscow", "Uniion", "cifficult", "surity", "Paxt",
    "essenhtially", "cinvincing", "disaterously", "vivctoty", "nowfaced", "pccurred", "indusdtrialized",
    "Europoe", "proleterits", "sovialism", "bombhell", "govrrnmernts", "Bolshebvik", "Comminism",
    "destroyiong", "capitalim", "agicultural", "Lennin", "Chekka", "Kenin", "Breast-Litovsk",
    "depised", "deceloping", "secrercy", "advatage", "Reichwehr", "Saratow", "Rusdian", "dutring",
    "Woirld", "thsat", "criticismm", "emensly", "Stuggle", "Therev", "Boldshevik", "dictatorhip",
    "amajor", "secribing", "LKennin", "befpre", "mistaker", "underesdtimatin", "particvipoant",
    "abilitiers", "appointedf", "quiockly", "poweer", "appointes", "Stlin", "manuvring", "laeding",
    "pursioing", "consimed", "enuciated", "Triskite", "wriyings", "nitably", "democrativ", "siocilaism",
    "duffered", "obstensibly", "Policvy", "nerver", "Socilalism", "Omne", "theoiry", "nortmalizxe",
    "rekatiions", "Sespite", "ikprtance", "Chichedrin", "acccess", "devn", "inhintial", "Revolutioinary",
    "ptomited", "revolutiomn", "comtrolled", "byh", "grroup", "ooeratioins", "penetraung", "sureptously",
    "adminisrative", "levbels", "perforned", "noperatiins", "invcluding", "peasanttry", "operationsd",
    "eventully", "orgamiztiond", "subersion", "intrlligence", "intelgence", "hency", "differebt",
    "caklderon", "Wotld", "ctiviies", "weremot", "shoiws", "ciomntrol", "poartie", "Germa ", "oarties",
    "enmy", "comptging", "apotntially", "unselling", "donestic", "ordred", "Derman", "TeDKP", "agast",
    "Communits", "insistance", "Communuists", "Comitern", "determt", "forerign", "earlierr", "Cointern",
    "Sivier", "otganaization", "assustbce", "treary", "maintsin", "reklatiins", "wsith", "leadershio",
    "noitice", "militrily", "Westrn", "Populsar", "Soivuiet", "intetpreation", "Minich", "essrnytially",
    "undiybtedlky", "Bruitush", "anbd", "webnt", "searchiung", "tirte", "inbaded", "wgat", "Czecoslovakia",
    "altrusistically", "emabrgo", "guaranted", "purcahed", "Siviet", "Governent", "presumbly", "smounted",
    "machinme", "amunition", "Reoublic", "paties", "futhrr", "ovrsaw", "aresst", "shooying", "deried",
    "becuse", "palner", "wehen", "Znbd", "equioment", "obtining", "amunmition", "developoment",
    "commandrs", "Germn", "Anchluss", "beeen", "Czecheslovakia", "erhnic", "Chamberlin", "Miniister",
    "quarel", "ignoramce", "repoters", "apauled", "releaved", "Btritain", "Franbce", "survuved",
    "Woirkd", "beczuse", "neithr", "Mrshall", "Sovuet", "Unioin", "wluld", "bedore", "firect", "relace",
    "connctions", "negotition", "hlped", "mregularize", "relationsd", "spokesmn", "fgor", "woirked",
    "expzansion", "internatiinal", "confrointing", "accompdating", "diismissed", "anreolaced", "astaunch",
    "whivh", "HHitler", "Agression", "toiday", "histiorical", "vcan", "bevdenined", "countrues", "ame as",
    "Workld", "powrful", "havebeen", "invasiio", "Hityler", "ghat", "Agressions", "appasing", "stratgic",
    "puhing", "acquited", "Sepoember", "agreessions", "tergetted", "Estibia", "Nabd", "NZI", "Ostkrtieg",
    "virtul", "mnassive", "comtries", "aidinging", "decission", "wityh", "mermbers", "followng",
    "reinterated", "trritory", "rsources", "Sovietrs", "weeksd", "tlks", "hisd", "duid", "Fuinland",
    "Gerrmany", "noit", "beginnin", "sloweky", "Molotiv", "weas", "bonb", "sheltr", "irvraid",
    "contntions", "Tri-Partate", "binto", "centred", "supples", "ateful", "Soviert", "laready", "invlined",
    "Molotoiv", "respoonded", "Britaion", "buty", "powerrful", "Btitain", "NAZUs", "ciovertly",
    "adegree", "whiose", "dramatgically", "decisevely", "collosal", "devestated", "destoyed", "essentally",
    "Sovierts", "Whermacht", "neutality", "diasterous", "apauling", "Hiitler", "Stragesists",
    "concludung", "sucessfully", "duoed", "dusaterius", "Barbarissa", "Barbariss", "potivided", "Hiutkler",
    "pklaying", "habd", "oppoortunity", "Aemy", "poossiblt", "ASrmy", "preducted", "crituically",
    "porovide", "Siviet", "shatered", "precient", "Sralin", "SAllied", "escecially", "eventiually",
    "Eurooe", "weith", "manpoweer", "graet", "Germam", "indudtry", "tght", "rmy", "Napaoneon",
    "calculatuon", "Velagsdruckerei", "proivides", "esplsined", "insiught", "WEorld", "picdenter",
    "wityhout", "gials", "develioped", "Americns", "substantil", "begimnning", "thry", "Sobit",
    "Europeam", "Qurterly", "Janusary",
]

# Figures of the original that must survive (besides every year, checked below).
FIGURES = ["350,000", "6.25 million", "3.8 million", "$0.5 billion", "$50 million", "$0.75 billion",
           "2,000", "1,000", "$80 million", "December 11", "November 30", "November 25",
           "January 21, 1924", "December 17", "May 6", "129–49", "105–28", "fourth-largest",
           "seven World Congresses", "two weeks", "three months", "a quarter of its strength"]

# Every locator of the original's bracketed references, as the author-date style prints them
# (page ranges in the style's page-range-format, chicago-16: the original's "1804-08" is "1804–8").
LOCATORS = ["(Nekrich et al. 1997, 201)", "(Roberts 2002, 57)", "(Shirer 1990, 668)", "(Stone 1979, 137)",
            "(Preston 1986, 136)", "(Thomas 1986, 984)", "(Howson 1998, 109)", "(Viñas 1979, 233)",
            "(Beevor 2006, 246, 273)", "(Domarus 1962–1963, 1804–8)"]

SOURCES = ["Beevor", "Domarus", "Howson", "McMeekin", "Nekrich", "Preston", "Reed", "Roberts",
           "Shirer", "Stalin", "Stone", "Thomas", "Viñas", "Voice of Russia", "Gumbel"]


# Words the builder itself writes (CSL terms, the colophon's font designers, the
# identifier) rather than the author: the spelling test reads the author's text.
GENERATED_DOCUMENTS = ("nav.xhtml", "title-page.xhtml", "cover.xhtml")
CSL_TERMS = {"Vols"}


@pytest.fixture(scope="module")
def epub_text(sample_build: Path) -> str:
    epub = next(sample_build.glob("*.epub"))
    texts = []
    for name, data in sorted(epub_files(epub).items()):
        if name.endswith(".xhtml") and not name.endswith(GENERATED_DOCUMENTS):
            root = etree.fromstring(data)
            body = root.find("{http://www.w3.org/1999/xhtml}body")
            texts.append("".join(body.itertext()))
    return normalise(" ".join(texts))


def test_no_original_misspelling_survives(epub_text: str):
    left = [typo for typo in ORIGINAL_TYPOS if re.search(rf"(?<!\w){re.escape(typo)}(?!\w)", epub_text)]
    assert not left, left


def test_every_word_is_spelled_right(epub_text: str):
    from book.lint.spelling import _is_known, dictionary, read_word_list

    known, problems = read_word_list(ROOT / "content")
    assert not problems
    checker = dictionary("en")
    text = re.sub(r"https?://\S+", " ", epub_text)
    words = set(re.findall(r"[^\W\d_]+(?:[’'][^\W\d_]+)*", text))
    unknown = sorted(w for w in words - CSL_TERMS
                     if not re.search(r"[\u0400-\u04ff]", w) and not _is_known(w, checker, known))
    assert not unknown, " ".join(unknown)


def test_every_year_and_figure_is_kept(epub_text: str):
    original = SEED.read_text(encoding="utf-8")
    original = original[: original.index("Navigate the Boys")]
    years = set(re.findall(r"(?<!\d)(1[89]\d\d|20[0-2]\d)(?!\d)", original))
    missing = sorted(y for y in years if y not in epub_text)
    assert not missing, missing
    lost = [f for f in FIGURES + LOCATORS if f not in epub_text]
    assert not lost, lost


def test_every_source_is_in_the_bibliography(epub_text: str, sample_build: Path):
    epub = next(sample_build.glob("*.epub"))
    refs = epub_files(epub)["EPUB/references.xhtml"]
    text = normalise("".join(etree.fromstring(refs).itertext()))
    for name in SOURCES:
        assert name in text, name


def test_sample_book_citations_link_to_the_bibliography(sample_build: Path):
    epub = next(sample_build.glob("*.epub"))
    files = epub_files(epub)
    rapallo = files["EPUB/rapallo.xhtml"].decode()
    assert 'href="references.xhtml#ref-gumbel"' in rapallo
    web = (sample_build / "web" / "joining-the-axis.html").read_text()
    assert 'href="references.html#ref-nekrich1997"' in web
    from pypdf import PdfReader
    pdf = next(p for p in sample_build.glob("*.pdf") if "archival" not in p.name)
    reader = PdfReader(pdf)
    links = set()
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            dest = annot.get("/Dest") or (annot.get("/A") or {}).get("/D")
            if dest is not None:
                links.add(str(dest))
    assert {"ref-nekrich1997", "ref-gumbel", "ref-beevor2006", "ref-domarus1962"} <= links


def test_check_strict_passes_on_the_sample_book():
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--strict"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
