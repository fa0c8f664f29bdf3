"""The maintainer side: load a board tree, compute stats and badges, render the site."""
