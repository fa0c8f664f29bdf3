"""The maintainer side: load a board tree, compute stats, render the site, run its CI."""
