"""Tools for developing and testing BizFlow Studio without the outside world (no Django imports)."""
