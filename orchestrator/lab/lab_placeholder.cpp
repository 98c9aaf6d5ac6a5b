// Replaced when the lab lands.
