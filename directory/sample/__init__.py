"""The committed sample directory and the script that builds it."""
