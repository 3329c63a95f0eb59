app = "a string, not a Dash app"
