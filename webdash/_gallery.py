"""The index page of a gallery site: one card per app, linking to the app's URL."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Entry:
    title: str
    description: str
    path: str  # the app's URL, relative to the gallery page
    thumbnail: str | None  # an image URL relative to the gallery page


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dash apps</title>
<link rel="icon" href="data:,">
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #222; background: #f6f7f9; }}
  main {{ max-width: 60rem; margin: 0 auto; padding: 2rem 1rem; }}
  h1 {{ font-size: 1.5rem; margin: 0 0 .25rem; }}
  .note {{ color: #555; margin: 0 0 1.5rem; }}
  ul {{ list-style: none; padding: 0; display: grid; gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }}
  li a {{ display: block; height: 100%; box-sizing: border-box; padding: 1rem; background: #fff;
          border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); color: inherit; text-decoration: none; }}
  li a:hover, li a:focus {{ box-shadow: 0 2px 10px rgba(0,0,0,.2); }}
  li img {{ width: 100%; aspect-ratio: 16 / 9; object-fit: cover; border-radius: 4px; background: #eee; }}
  li h2 {{ font-size: 1.1rem; margin: .5rem 0 .25rem; color: #1f6feb; }}
  li p {{ margin: 0; color: #555; font-size: .95rem; }}
</style>
</head>
<body>
<main>
<h1>Dash apps</h1>
<p class="note">Each app runs entirely in your browser: your data never leaves this computer.</p>
<ul id="webdash-apps">
{cards}
</ul>
</main>
</body>
</html>
"""

_CARD = '<li><a href="{path}">{image}<h2>{title}</h2><p>{description}</p></a></li>'


def render(entries: list[Entry]) -> str:
    cards = []
    for entry in entries:
        image = f'<img src="{escape(entry.thumbnail)}" alt="">' if entry.thumbnail else ""
        cards.append(
            _CARD.format(
                path=escape(entry.path),
                image=image,
                title=escape(entry.title),
                description=escape(entry.description),
            )
        )
    return _PAGE.format(cards="\n".join(cards))
