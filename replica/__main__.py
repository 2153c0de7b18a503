"""``python -m replica``: serve the replica web until interrupted (to try the crawler by hand)."""

from __future__ import annotations

import argparse
import time

from replica.server import ReplicaWeb
from replica.world import build_world


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="proxy port on 127.0.0.1 (0: any)")
    parser.add_argument("--scale", type=int, default=None, help="generate a blog of N posts")
    args = parser.parse_args()
    world = build_world(scale=args.scale)
    with ReplicaWeb(world.sites, port=args.port) as web:
        print(f"replica web: {len(world.hosts)} hosts behind the proxy {web.proxy_url}")
        print(f"try: https_proxy={web.proxy_url} http_proxy={web.proxy_url} scrapy crawl t2")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
