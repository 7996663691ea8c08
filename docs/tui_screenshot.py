"""Make docs/tui.svg: the terminal UI on the sample corpus with a query typed (Textual's SVG screenshot).

    python docs/tui_screenshot.py [--query "réforme des retraites"] [--size 130x36]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from search import Index
from search.tui import make_app

ROOT = Path(__file__).resolve().parents[1]


async def shoot(query: str, size: tuple[int, int], out: Path) -> None:
    """Build the sample index in a temporary folder, type `query`, save the screen as SVG."""
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        Index.rebuild(ROOT / "corpus", index, procs=1).close()
        app = make_app(index, ROOT / "corpus", history=None, timings=False, cursor_blink=False,
                       theme="textual-dark", language="fr", remember_theme=False)
        async with app.run_test(size=size) as pilot:
            while app.index is None:
                await asyncio.sleep(0.01)
            await pilot.press(*[("space" if c == " " else c) for c in query])
            while not app.settled:
                await asyncio.sleep(0.01)
            await pilot.press("down")
            await pilot.pause(0.3)
            app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> None:
    """Parse the options and write the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="réforme des retraites")
    parser.add_argument("--size", default="130x36")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "tui.svg")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    asyncio.run(shoot(args.query, (width, height), args.out))
    print(args.out)


if __name__ == "__main__":
    main()
