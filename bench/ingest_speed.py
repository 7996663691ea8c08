"""Ingestion speed: pages extracted per second, and `search fetch` of 100 local pages.

    python -m bench.ingest_speed [--pages 100]

The pages are the test site's five article pages, each served under 20 paths (with its
text varied so that none is a duplicate), from a feed of 100 items on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from search.ingest import extract_page
from tests.ingest_site import PAGES, NewsSite, page


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    with NewsSite() as site:
        items = []
        for n in range(args.pages):
            path, (layout, fragment) = list(PAGES.items())[n % len(PAGES)]
            url = f"{path}-{n}"
            html = page(layout, fragment, site.base).replace(path, url)
            first = html.index("<p>", html.index("<h1"))  # the body's first paragraph
            html = f"{html[:first]}<p>Édition numéro {n}. {html[first + 3:]}"
            site.set_page(url, html)
            items.append(f"<item><title>Article {n}</title><link>{site.base}{url}</link></item>")
        feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Banc</title>'
                f'{"".join(items)}</channel></rss>')
        site.set_feed("/banc.xml", feed, "application/rss+xml")
        pages = [site.routes[f"{path}-{n}"].body for n, path in
                 ((n, list(PAGES)[n % len(PAGES)]) for n in range(args.pages))]
        extract_page(pages[0])  # warm up the imports
        started = time.perf_counter()
        for body in pages:
            extract_page(body)
        seconds = time.perf_counter() - started
        print(f"extraction: {len(pages)} pages in {seconds:.2f} s = {len(pages) / seconds:.0f} pages/s "
              f"(one thread; pages of {sum(map(len, pages)) // len(pages) // 1024} KB)")
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, XDG_STATE_HOME=f"{tmp}/state", XDG_CONFIG_HOME=f"{tmp}/config")
            paths = ["--corpus", f"{tmp}/corpus", "--index", f"{tmp}/index"]
            run = [sys.executable, "-m", "search"]
            subprocess.run([*run, "feeds", "add", f"{site.base}/banc.xml", "--name", "banc", *paths],
                           check=True, env=env, capture_output=True)
            for delay in ("0", "1"):
                if delay == "1" and args.pages > 20:
                    print("fetch with the default 1 s per-host delay: about 1 s a page on one host")
                    continue
                started = time.perf_counter()
                proc = subprocess.run([*run, "fetch", "--delay", delay, *paths], env=env,
                                      capture_output=True, text=True)
                print(f"search fetch --delay {delay}: {time.perf_counter() - started:.2f} s "
                      f"(whole command, index update included): {proc.stdout.splitlines()[0]}")


if __name__ == "__main__":
    main()
