"""The static leaderboard site: pages, SVG pictures, packed browser data and static API."""

from tinytorch_board.board.site.build import SiteReport, render_site

__all__ = ["SiteReport", "render_site"]
