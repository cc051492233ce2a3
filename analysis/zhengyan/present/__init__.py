"""What a reader sees: figures (plots, fonts), tables in notebooks (display), interactive views (explore) and the
shared HTML (render). Imports the wings below it."""
