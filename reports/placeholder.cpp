// Replaced when the first report module lands.
