"""Pages of the replica Blogger blog in two Blogger themes and the mobile template.

The page skeletons and post fragments live in ``replica/templates/blogger_*.html``; this module
fills them with Blogger's widget markup (Blog1 posts, pager, Profile, PopularPosts, Label,
BlogArchive) in the blog's Japanese locale.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib import resources
from string import Template

from replica.model import TranslationPost
from replica.sites.blogger_body import (
    first_image,
    html_text,
    label_list,
    render_body,
    snippet,
)
from replica.sites.blogger_context import (
    Blog,
    Page,
    PostRef,
    Sidebar,
    data_context,
    date_header,
    feed_links,
    iso,
)

THEMES = ("classic", "contempo")


@cache
def fragment(name: str) -> Template:
    """``replica/templates/blogger_{name}.html`` as a ``string.Template``."""
    path = resources.files("replica").joinpath(f"templates/blogger_{name}.html")
    return Template(path.read_text("utf-8").removesuffix("\n"))


def _mobile(url: str, page: Page) -> str:
    return f"{url}{'&' if '?' in url else '?'}m=1" if page.mobile else url


def _labels_html(blog: Blog, post: TranslationPost, theme: str) -> str:
    links = [
        f"<a href='{escape(blog.label_url(label))}' rel='tag'>{html_text(label)}</a>"
        for label in label_list(post.labels)
    ]
    if not links:
        return ""
    if theme == "contempo":
        return (
            "<span class='byline post-labels'>\n<span class='byline-label'>ラベル:</span>\n"
            + "\n".join(links)
            + "\n</span>"
        )
    return "<span class='post-labels'>\nラベル:\n" + ",\n".join(links) + "\n</span>"


def _share_buttons(blog: Blog, ref: PostRef) -> str:
    base = f"https://www.blogger.com/share-post.g?blogID={blog.blog_id}&amp;postID={ref.post_id}"
    buttons = (
        ("sb-email", "email", "メールで送信"),
        ("sb-blog", "blog", "BlogThis!"),
        ("sb-twitter", "twitter", "X で共有"),
        ("sb-facebook", "facebook", "Facebook で共有する"),
        ("sb-pinterest", "pinterest", "Pinterest に共有"),
    )
    return "".join(
        f"<a class='goog-inline-block share-button {cls}' href='{base}&amp;target={target}' "
        f"target='_blank' title='{label}'><span class='share-button-link-text'>{label}</span></a>"
        for cls, target, label in buttons
    )


def _comments(blog: Blog, ref: PostRef, theme: str) -> str:
    frame = (
        f"https://www.blogger.com/comment/frame/{blog.blog_id}?po={ref.post_id}&amp;hl=ja"
        f"&amp;origin={blog.base}"
    )
    form = (
        "<div class='comment-form'>\n<a name='comment-form'></a>\n"
        "<h4 id='comment-post-message'>コメントを投稿</h4>\n"
        f"<a href='{frame}' id='comment-editor-src'></a>\n"
        "<iframe allowtransparency='true' class='blogger-iframe-colorize "
        "blogger-comment-from-post' frameborder='0' height='410px' id='comment-editor' "
        "name='comment-editor' src='' title='コメントを投稿' width='100%'></iframe>\n</div>"
    )
    if theme == "contempo":
        return (
            "<section class='comments embed' data-num-comments='0' id='comments'>\n"
            "<a name='comments'></a>\n<h3 class='title'>コメント</h3>\n"
            f"<div id='Blog1_comments-block-wrapper'>\n</div>\n<div class='footer'>\n{form}\n"
            "</div>\n</section>"
        )
    return (
        "<div class='comments' id='comments'>\n<a name='comments'></a>\n<h4>0 件のコメント:</h4>\n"
        "<div id='Blog1_comments-block-wrapper'>\n<dl class='avatar-comment-indent' "
        f"id='comments-block'>\n</dl>\n</div>\n<div class='comment-footer'>\n{form}\n</div>\n</div>"
    )


def classic_post(blog: Blog, ref: PostRef, page: Page) -> str:
    """``div.post-outer`` of the classic layout (and of the mobile template's item page)."""
    post, single = ref.post, page.kind == "item"
    title = html_text(ref.title)
    link = _mobile(ref.url, page)
    image = first_image(post, ref.post_id)
    comment_link = (
        f"<a class='comment-link' href='{link}#comment-form' onclick=''>0 件のコメント:</a>"
    )
    return fragment("classic_post").substitute(
        image_meta=f"<meta content='{image}' itemprop='image_url'/>\n" if image else "",
        blog_id=blog.blog_id,
        post_id=ref.post_id,
        heading=title if single else f"<a href='{link}'>{title}</a>",
        body=render_body(post, ref.post_id),
        profile_id=blog.profile_id,
        author=html_text(blog.author),
        url=ref.url,
        link=link,
        published=iso(post.published),
        time=f"{post.published:%H:%M}",
        comment_link="" if single else comment_link,
        share="" if page.mobile else _share_buttons(blog, ref),
        labels=_labels_html(blog, post, "classic"),
        comments=_comments(blog, ref, "classic") if single else "",
    )


def contempo_post(blog: Blog, ref: PostRef, page: Page) -> str:
    """``article.post-outer-container`` of the Contempo theme (item) or its index snippet."""
    post = ref.post
    published = iso(post.published)
    header = (
        "<div class='post-header'>\n<div class='post-header-line-1'>\n"
        f"<span class='byline post-timestamp'>\n<meta content='{ref.url}'/>\n"
        f"<a class='timestamp-link' href='{ref.url}' rel='bookmark' title='permanent link'>\n"
        f"<time class='published' datetime='{published}' title='{published}'>"
        f"{post.published.month}月 {post.published:%d, %Y}</time>\n</a>\n</span>\n</div>\n</div>"
    )
    fields = {
        "post_id": ref.post_id,
        "url": ref.url,
        "title": html_text(ref.title),
        "header": header,
        "labels": _labels_html(blog, post, "contempo"),
    }
    if page.kind != "item":
        return fragment("contempo_snippet").substitute(
            fields, snippet=html_text(snippet(post, 300))
        )
    ld = {
        "@context": "http://schema.org",
        "@type": "BlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": ref.url},
        "headline": ref.title,
        "description": snippet(post, 140),
        "datePublished": published,
        "dateModified": iso(post.updated),
        "author": {"@type": "Person", "name": blog.author},
    }
    return fragment("contempo_post").substitute(
        fields,
        ld_json=json.dumps(ld, ensure_ascii=False).replace("<", "\\u003c"),
        body=render_body(post, ref.post_id),
        profile_id=blog.profile_id,
        author=html_text(blog.author),
        comments=_comments(blog, ref, "contempo"),
    )


def mobile_index_post(ref: PostRef, page: Page) -> str:
    return fragment("mobile_index_post").substitute(
        url=_mobile(ref.url, page),
        title=html_text(ref.title),
        snippet=html_text(snippet(ref.post, 120)),
    )


def blog_posts(blog: Blog, page: Page, theme: str) -> str:
    """The posts of ``Blog1``: classic layouts group them under one date header per day."""
    if page.kind == "static_page":
        return _static_post(page)
    if theme == "contempo":
        return "\n".join(contempo_post(blog, ref, page) for ref in page.posts)
    chunks: list[str] = []
    day = None
    for ref in page.posts:
        if ref.post.published.date() != day:
            if day is not None:
                chunks.append("</div></div>")
            day = ref.post.published.date()
            outer = "date-outer mobile-date-outer" if page.mobile else "date-outer"
            chunks.append(
                f"<div class=\"{outer}\">\n<h2 class='date-header'><span>"
                f'{date_header(ref.post.published)}</span></h2>\n<div class="date-posts">'
            )
        if page.mobile and page.kind != "item":
            chunks.append(mobile_index_post(ref, page))
        else:
            chunks.append(classic_post(blog, ref, page))
    if day is not None:
        chunks.append("</div></div>")
    return "\n".join(chunks)


def _static_post(page: Page) -> str:
    return fragment("static_post").substitute(
        page_id="static-page", title=html_text(page.heading), body=page.static_html
    )


def pager(blog: Blog, page: Page, theme: str) -> str:
    home = _mobile(f"{blog.base}/", page)
    links = []
    button = " flat-button ripple" if theme == "contempo" else ""
    for rel, url in (("newer", page.newer_url), ("older", page.older_url)):
        if url:
            text = "次の投稿" if rel == "newer" else "前の投稿"
            anchor = (
                f"<a class='blog-pager-{rel}-link{button}' href='{escape(_mobile(url, page))}' "
                f"id='Blog1_blog-pager-{rel}-link' title='{text}'>{text}</a>"
            )
            links.append(
                anchor
                if theme == "contempo"
                else f"<span id='blog-pager-{rel}-link'>\n{anchor}\n</span>"
            )
    container = "blog-pager container" if theme == "contempo" else "blog-pager"
    return (
        f"<div class='{container}' id='blog-pager'>\n"
        + "".join(link + "\n" for link in links)
        + f"<a class='home-link{button}' href='{home}'>ホーム</a>\n</div>"
    )


def status_message(blog: Blog, page: Page) -> str:
    if page.label is None and page.query is None:
        return ""
    if page.label is not None:
        what = f"ラベル「{html_text(page.label)}」の投稿を表示しています。"
    else:
        what = f"「{html_text(page.query or '')}」に一致する投稿を表示しています。"
    return (
        "<div class='status-msg-wrap'>\n<div class='status-msg-body'>\n"
        f"{what} <a href='{blog.base}/'>すべての投稿を表示</a>\n</div>\n"
        "<div class='status-msg-border'>\n<div class='status-msg-bg'>\n"
        "<div class='status-msg-hidden'>" + what + "</div>\n</div>\n</div>\n</div>\n"
        "<div style='clear: both;'></div>\n"
    )


def render_sidebar(blog: Blog, data: Sidebar, theme: str) -> str:
    """Profile, popular posts with snippets, the label cloud and the archive hierarchy."""
    post_tag = "article" if theme == "contempo" else "div"
    popular = "".join(
        f"""<li>
<{post_tag} class='item-content post'>
<div class='item-title post-title'><a href='{ref.url}'>{html_text(ref.title)}</a></div>
<div class='item-snippet snippet-item'>{html_text(snippet(ref.post, 100))}</div>
</{post_tag}>
<div style='clear: both;'></div>
</li>
"""
        for ref in data.popular
    )
    cloud = "".join(
        f"<span class='label-size label-size-{min(5, 1 + count // 3)}'>\n"
        f"<a dir='ltr' href='{escape(blog.label_url(label))}'>{html_text(label)}</a>\n"
        f"<span class='label-count' dir='ltr'>({count})</span>\n</span>\n"
        for label, count in data.labels
    )
    latest = "".join(
        f"<li><a href='{ref.url}'>{html_text(ref.title)}</a></li>\n" for ref in data.latest_month
    )
    years = []
    for number, (year, count, months) in enumerate(data.years):
        state = "expanded" if number == 0 else "collapsed"
        month_items = []
        for index, (month, month_count) in enumerate(months):
            posts = f"<ul class='posts'>\n{latest}</ul>\n" if number == 0 and index == 0 else ""
            month_state = "expanded" if posts else "collapsed"
            month_items.append(
                f"<ul class='hierarchy'>\n<li class='archivedate {month_state}'>\n"
                f"<a class='post-count-link' href='{blog.base}/{year}/{month:02d}/'>{month}月</a>\n"
                f"<span class='post-count' dir='ltr'>({month_count})</span>\n{posts}</li>\n</ul>\n"
            )
        years.append(
            f"<ul class='hierarchy'>\n<li class='archivedate {state}'>\n"
            f"<a class='toggle' href='javascript:void(0)'><span class='zippy'>&#9658;&#160;</span>"
            f"</a>\n<a class='post-count-link' href='{blog.base}/{year}/'>{year}</a>\n"
            f"<span class='post-count' dir='ltr'>({count})</span>\n"
            f"{''.join(month_items)}</li>\n</ul>\n"
        )
    profile = f"https://www.blogger.com/profile/{blog.profile_id}"
    return fragment("sidebar").substitute(
        profile=profile,
        author=html_text(blog.author),
        description=html_text(blog.description),
        popular=popular,
        cloud=cloud,
        years="".join(years),
    )


def render_page(blog: Blog, page: Page, theme: str, sidebar: str) -> str:
    """The whole HTML page, in ``theme`` (the classic theme's mobile pages use Blogger's
    separate mobile template; Contempo is responsive and serves the same markup)."""
    if page.kind == "item":
        ref = page.posts[0]
        title, description = ref.title, snippet(ref.post, 150)
    else:
        title, description = page.heading or blog.title, blog.description
    head_title = blog.title if title == blog.title else f"{blog.title}: {title}"
    feed_url = f"{blog.base}/feeds/posts/default"
    feed_label = "投稿 (Atom)"
    if page.kind == "item":
        feed_url = f"{blog.base}/feeds/{page.posts[0].post_id}/comments/default"
        feed_label = "コメントの投稿 (Atom)"
    name = "mobile" if page.mobile and theme == "classic" else theme
    classes = "version-1-3-3 variant-indie_light" + (" mobile" if page.mobile else "")
    return fragment(name).substitute(
        base=blog.base,
        host_js=blog.host,
        base_js=blog.base,
        blog_id=blog.blog_id,
        profile_id=blog.profile_id,
        author=html_text(blog.author),
        canonical=page.url,
        desktop_url=page.url,
        feed_links=feed_links(blog, page.posts[0].post_id if page.kind == "item" else None),
        og_title=escape(title),
        og_description=escape(description),
        head_title=html_text(head_title),
        blog_title=html_text(blog.title),
        blog_description=html_text(blog.description),
        body_class=classes,
        status_msg=status_message(blog, page),
        blog_posts=blog_posts(blog, page, theme),
        pager=pager(blog, page, theme) if page.kind != "static_page" else "",
        sidebar=sidebar,
        feed_url=feed_url,
        feed_label=feed_label,
        data_context=data_context(blog, page, theme, head_title, description),
    )
