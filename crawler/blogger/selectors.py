"""Every selector and pattern the Blogger parsers use, in one place.

Blogger renders the same data through many themes: the classic layout (``h2.date-header``,
``abbr.published``), the newer responsive themes (``time.published``, a ``div.date-header``
inside the post), Google's own v2 theme (``itemprop`` microdata only) and third-party themes
that keep Blogger's class names for the post itself but not for the page around it. The
selectors below name what Blogger itself emits, so they hold across themes.
"""

from __future__ import annotations

import re


def has_class(name: str) -> str:
    """XPath predicate for a whole class token (``post-body``, not ``post-body-container``)."""
    # The plain substring test first: it rules out nearly every element at a fraction of the
    # cost of building each one's padded class string (the same answer: a token is a substring).
    padded = "concat(' ', normalize-space(@class), ' ')"
    return f"(contains(@class, '{name}') and contains({padded}, ' {name} '))"


# The Blog widget holds the posts; sidebars hold other widgets (PopularPosts, FeaturedPost) that
# reuse the post class names, so the post is looked for inside this widget first.
BLOG_WIDGET = f"//*[{has_class('widget')} and {has_class('Blog')}]"
OTHER_POST_WIDGETS = f"ancestor::*[{has_class('PopularPosts')} or {has_class('FeaturedPost')}]"

POST_BODY = (
    f".//*[{has_class('post-body')}]",
    ".//*[contains(concat(' ', normalize-space(@itemprop), ' '), ' articleBody ')]",
    f".//*[{has_class('entry-content')}]",
)

# Nearest ancestor of the body that is the post itself, tried in this order: the outer wrapper
# of every Blogger theme, then the microformat / schema.org post element.
POST_CONTAINERS = (
    f"ancestor::*[{has_class('post-outer')}][1]",
    f"ancestor::*[{has_class('hentry')} or {has_class('post')} or "
    f"{has_class('blog-post')} or self::article][1]",
)

POST_TITLE = (
    f".//*[{has_class('post-title')}]",
    f".//*[{has_class('entry-title')}]",
    ".//*[self::h1 or self::h2 or self::h3][@itemprop='name']",
)
META_OG_TITLE = "//meta[@property='og:title']/@content"
DOCUMENT_TITLE = "//title"

PUBLISHED_ABBR = f".//abbr[{has_class('published')}]/@title"
PUBLISHED_TIME = f".//time[{has_class('published')}]/@datetime | .//time[@itemprop='datePublished']"
PUBLISHED_ITEMPROP = ".//*[@itemprop='datePublished']"
JSON_LD = ".//script[@type='application/ld+json']"
# Classic themes put the header before the post (outside it); newer ones inside it.
DATE_HEADER_INSIDE = f".//*[{has_class('date-header')}]"
DATE_HEADER_BEFORE = f"preceding::*[{has_class('date-header')}][1]"
# Some themes print the date header through the post timestamp instead (no machine time).
POST_TIMESTAMP = f".//*[{has_class('post-timestamp')}]"

LABELS = f".//*[{has_class('post-labels')}]//a | .//a[contains(concat(' ', @rel, ' '), ' tag ')]"

POST_ID_META = ".//meta[@itemprop='postId']/@content"
POST_ID_DATA = "./ancestor-or-self::*[@data-id][1]/@data-id"
POST_ID_ANCHOR = ".//a[@name]/@name"
BLOG_ID_META = "//meta[@itemprop='blogId']/@content"
HTML_LANG = "/html/@lang"
INLINE_SCRIPTS = "//script[not(@src)]"
CANONICAL_LINK = "//link[@rel='canonical']/@href"

CAPTION_TABLE_CLASS = "tr-caption-container"
CAPTION_CELL = f".//*[{has_class('tr-caption')}]"
# A photo credit or English caption written before the Japanese caption on the same line: Latin
# text, ending in a word character, a closing bracket or a sentence end ("USAF", "U.S. Navy
# photo", "(Getty Images)", a whole English caption sentence as real T2 posts keep it).
CAPTION_CREDIT = re.compile(r"[A-Za-z(\[][^\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]*[\w).?!\]]")

# Blogger's inline page description: ``_WidgetManager._SetDataContext([{'name': 'blog', ...``.
DATA_CONTEXT_MARK = "'pageType'"
DATA_PAGE_TYPE = re.compile(r"'pageType'\s*:\s*'([A-Za-z]+)'")
DATA_POST_ID = re.compile(r"'postId'\s*:\s*'?(\d+)")
DATA_BLOG_ID = re.compile(r"'blogId'\s*:\s*'(\d+)'")
DATA_LOCALE = re.compile(r"'locale'\s*:\s*'([A-Za-z_-]+)'")
DATA_BLOG_TITLE = re.compile(
    r"'name'\s*:\s*'blog'\s*,\s*'data'\s*:\s*\{\s*'blogId'\s*:\s*'\d+'\s*,"
    r"\s*'title'\s*:\s*'((?:[^'\\]|\\.)*)'"
)
JS_HEX_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")  # the data context writes ' as \x27
POST_BODY_ID = re.compile(r"^post-body-(\d+)$")
NUMERIC_ID = re.compile(r"^\d{5,}$")

# Body walking: elements that end a paragraph, and elements whose content is never text.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP_TAGS = frozenset(
    [
        "audio",
        "button",
        "canvas",
        "embed",
        "iframe",
        "img",
        "input",
        "map",
        "object",
        "picture",
        "script",
        "select",
        "source",
        "style",
        "svg",
        "template",
        "textarea",
        "video",
    ]
)
DROP_CAP_CLASS = re.compile(r"drop[-_]?cap", re.IGNORECASE)
DROP_CAP_STYLE = re.compile(r"float\s*:\s*left", re.IGNORECASE)

# A newline in the page source between two CJK characters is not a word break.
CJK = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_LINE_BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*[\r\n]+[ \t]*(?=[{CJK}])")
CJK_CHAR = re.compile(rf"[{CJK}]")
ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")

# The target blogs' title line: ``{title}({Publication})―{comment}`` (crawler/blogger/title.py).
# The bar is U+2015; some posts type an em dash instead.
COMMENT_SEPARATORS = "\u2015\u2014"
TITLE_PARENTHESIS = re.compile(r"[(（](?P<inner>[^()（）]+)[)）]")
# A publication is named in Latin-script title case ("The War Zone", "USNI News", "19FortyFive",
# "Stars and Stripes"); "(okra stir fry)" or "(2月7日現在)" are part of the title.
PUBLICATION_NAME = re.compile(
    r"^(?=(?:.*[A-Za-z]){2})[A-Z0-9][A-Za-z0-9&.'’+-]*"
    r"(?:\s(?:[A-Z0-9&][A-Za-z0-9&.'’+-]*|and|of|the|for|on|in|at|de|du|la|le))*$"
)
# One token of capitals, digits and hyphens: an outlet only if a known one (TWZ, not NGAD).
ACRONYM = re.compile(r"^[A-Z0-9&.-]+$")

# The end-of-translation mark and the citation block after it.
END_MARK = "■"
AUTHOR_LINE = re.compile(r"^\s*by[\s\u00a0]+(?P<author>\S.*)$", re.IGNORECASE)
YEAR = re.compile(r"(?:19|20)\d{2}")
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")  # 02/06/26 12:04 PM ET
DATE_LINE_MAX_CHARS = 64
# A date line opens with its date, a weekday or a word news sites put before one; a headline
# that merely holds a year ("… first flight in 2028") does not.
DATE_LINE_START = re.compile(
    r"^(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)"
    r"[a-z]*\.?[\s,]|(?:on|published|posted|updated|last\s+updated|date)\b|[０-９])",
    re.IGNORECASE,
)
# A person's name as a byline prints it: two to four capitalised words, initials and name
# particles; several people joined by commas, "and" or "&" ("Jane Roe and John Doe"). A
# headline in title case runs longer than four words without a joiner.
PERSON_NAME = (
    r"[A-Z][A-Za-z'’.-]*"
    r"(?:\s+(?:[A-Z][A-Za-z'’.-]*|de|del|der|van|von|da|di|du|bin|al|la|le)){1,3}"
)
NAME_LINE = re.compile(rf"^{PERSON_NAME}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*){PERSON_NAME})*$")
NAME_LINE_MAX_CHARS = 80
# Authors written in katakana in a Japanese header (スティーブン・ロージー, several joined by 、).
KATAKANA_NAME_LINE = re.compile(r"^[ァ-ヺー・＝=]{2,}(?:\s*[、,，と]\s*[ァ-ヺー・＝=]{2,})*$")
# Where a date may start inside a byline glued to it: at a word start or right after a letter
# ("Hemmerdinger12 December 2020").
GLUED_DATE_START = re.compile(r"(?<=\s)\S|(?<=[A-Za-z])(?=\d)")
# Date lines in Japanese: 2026年2月10日 午前6時22分, 2026年1月3日 午前4時46分(EST)更新.
JAPANESE_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")

# What a post body may open with before the translation itself (crawler/blogger/front.py):
# a cross-post banner ("この記事は民間航空を扱うT1と軍事航空安全保障を扱うT2共通記事です"), a photo
# credit in parentheses under a repeated title, and how far into the body such lines are looked for.
CROSS_POST_BANNER = re.compile(
    r"^(?:この|本)記事は.{0,60}(?:共通記事|共通の記事|同時掲載|同時公開|転載)(?:です|となります)?。?$"
)
PARENTHESISED_LINE = re.compile(r"^[(（][^()（）]{1,80}[)）]$")
FRONT_MATTER_LINES = 8
HEADER_LINE_MAX_CHARS = 120
# A repeated title shares this share of character bigrams with the post title (Dice).
TITLE_REPEAT_SIMILARITY = 0.5
TITLE_REWORDED_SIMILARITY = 0.3  # enough when a photo credit line follows
TITLE_REPEAT_MAX_LENGTH_RATIO = 1.3
SENTENCE_ENDS = ("。", ".", "!", "?", "！", "？")

# A token that starts a URL once NFKC-normalised: a scheme (also the usual typos), ``www.``, or a
# bare host followed by a path.
URL_START = re.compile(
    r"(?:h?t?tps?\s*[:;]\s*/{1,3}|h?t?tps?//|//(?=[a-z0-9-]+\.)|www\.|"
    r"(?<![a-z0-9])(?:file|ftps?|sftp|s3|gopher|smb|ldap|dict)://|"
    r"(?<![a-z0-9@.-])(?=[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/))",
    re.IGNORECASE,
)
# Schemes the crawler never fetches. A citation that names one is kept as written, so that the
# URL guard records the refusal (source_refused) instead of the pair losing its citation.
URL_OTHER_SCHEME = re.compile(r"^(?:file|ftps?|sftp|s3|gopher|smb|ldap|dict)://", re.IGNORECASE)
URL_HAS_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
URL_BAD_SCHEME = re.compile(r"^(?:h?t?tps?\s*[:;]\s*/{1,3}|h?t?tps?//)", re.IGNORECASE)
URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
URL_TRAILING = ".,;:!?'\"*"
URL_BRACKETS = {")": "(", "]": "[", "}": "{"}
URL_ELLIPSIS = re.compile(r"(?:\.{3,}|…)$")
VALID_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$")
# After an explicit http(s):// any host is a host, also one no public URL has (localhost, an
# address): the URL guard refuses those with its reason rather than the citation losing its URL.
WRITTEN_HOST = re.compile(r"^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|[0-9a-f:.]*:[0-9a-f:.]*)$")
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid"})
TRACKING_PREFIX = "utm_"
# Links copied out of Google search results or Docs: ``https://www.google.com/url?q=<URL>&sa=D``.
GOOGLE_HOST = re.compile(r"^(?:www\.)?google\.[a-z.]+$")
GOOGLE_REDIRECT_PATH = "/url"
GOOGLE_TARGET_PARAMS = ("q", "url")

# Blogger URL shapes.
BLOGSPOT_HOST = re.compile(r"^(?P<blog>[a-z0-9-]+)\.blogspot\.[a-z.]+$")
PERMALINK_PATH = re.compile(r"^/\d{4}/\d{2}/[^/]+\.html$")
# Atom entry ids: ``tag:blogger.com,1999:blog-<blogId>.post-<postId>``.
FEED_POST_ID = re.compile(r"\.post-(\d+)$")
