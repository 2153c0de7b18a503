"""Post pages in the markup of two WordPress themes, written for these tests from the themes'
structure (themes/*.html): Twenty Twenty-Four (a block theme) and Twenty Twenty-One (classic)
with Jetpack's share buttons and related posts injected into the content. The texts are
synthetic."""

from __future__ import annotations

from pathlib import Path

THEMES = Path(__file__).parent / "themes"
BLOCK_URL = "https://tt4-example.jp/2025/03/06/tomahawk-delivery/"
CLASSIC_URL = "https://tt1-example.jp/archives/318"
BREAKING = "https://breakingdefense.com/2025/03/synthetic-tomahawk-delivery/"
USNI = "https://news.usni.org/2025/03/12/synthetic-amraam"

TWENTY_TWENTY_FOUR = (THEMES / "twentytwentyfour.html").read_text(encoding="utf-8")
TWENTY_TWENTY_ONE = (THEMES / "twentytwentyone.html").read_text(encoding="utf-8")
