"""Pure rules: nights, windows, limits, taper arithmetic and strict parsers; time is passed in."""
