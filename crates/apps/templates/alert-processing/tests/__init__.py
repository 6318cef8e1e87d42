"""The app's tests (python3 -m unittest discover -s tests -t . from the app folder)."""
