"""Synthetic Blogger permalink pages in the target blog's conventions (all content invented).

The markup follows what Blogger's classic and newer themes emit (``post-outer``, ``post-body``,
``abbr.published`` or ``time.published``, ``post-labels``, ``_WidgetManager._SetDataContext``),
with a sidebar PopularPosts widget, placed before the Blog widget, that reuses the post class
names.
"""

from __future__ import annotations

from html import escape

POST_URL = "https://synthetic-example.blogspot.com/2025/02/blog-post_7.html"


def blogger_page(
    body: str,
    *,
    title: str = "合成記事のタイトル",
    timestamp: str | None = "2025-02-07T18:30:00+09:00",
    newer_theme: bool = False,
    labels: tuple[str, ...] = ("米海軍",),
    page_type: str = "item",
) -> str:
    """A synthetic post page; ``body`` is the post body's inner HTML."""
    label_links = ",\n".join(
        f"<a href='https://synthetic-example.blogspot.com/search/label/{escape(label)}' "
        f"rel='tag'>{escape(label)}</a>"
        for label in labels
    )
    if newer_theme:
        stamp = f"<time class='published' datetime='{timestamp}'>2月 07, 2025</time>"
    else:
        stamp = f"<abbr class='published' title='{timestamp}'>18:30</abbr>"
    if timestamp is None:
        stamp = ""
    return f"""<!DOCTYPE html>
<html dir='ltr' lang='ja'>
<head>
<meta content='blogger' name='generator'/>
<meta content='{escape(title)}' property='og:title'/>
<title>合成ブログ: {escape(title)}</title>
</head>
<body>
<div class='sidebar section' id='sidebar'>
<div class='widget PopularPosts' data-version='2' id='PopularPosts1'>
<div class='post-outer'><h3 class='post-title entry-title'>人気の合成記事</h3>
<div class='post-body'>サイドバーの合成テキスト。</div>
<time class='published' datetime='2024-01-01T00:00:00+09:00'>2024</time></div>
</div>
</div>
<div class='main section' id='main'><div class='widget Blog' data-version='1' id='Blog1'>
<div class='blog-posts hfeed'>
<div class="date-outer">
<h2 class='date-header'><span>2025年2月7日金曜日</span></h2>
<div class="date-posts">
<div class='post-outer'>
<div class='post hentry'>
<meta content='1111111111111111111' itemprop='blogId'/>
<meta content='2222222222222222222' itemprop='postId'/>
<h3 class='post-title entry-title'>{escape(title)}</h3>
<div class='post-body entry-content' id='post-body-2222222222222222222'>
{body}
<div style='clear: both;'></div>
</div>
<div class='post-footer'>
<span class='post-timestamp'>at <a class='timestamp-link' href='{POST_URL}'>{stamp}</a></span>
<span class='post-labels'>ラベル: {label_links}</span>
</div>
</div>
</div>
</div></div>
</div>
</div></div>
<script type='text/javascript'>
_WidgetManager._SetDataContext([{{'name': 'blog', 'data': {{'blogId': '1111111111111111111',
'title': '合成ブログ', 'locale': 'ja', 'pageType': '{page_type}',
'postId': '2222222222222222222'}}}}]);
</script>
</body>
</html>"""


CITATION_TWZ = (
    "■<br>Navy's New Frigate Program Faces More Delays<br>"
    "The Constellation class is now years late.<br>"
    "By&nbsp;Joseph Trevithick<br>"
    "Published Feb 4, 2025 12:59 PM EST<br>"
    "https://www.twz.com/sea/navys-new-frigate-program-faces-more-delays"
)
