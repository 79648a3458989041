"""Static files are stored compressed for phones on slow connections: brotli where the browser
accepts it (every current one does), gzip otherwise."""

from pathlib import Path

from django.contrib.staticfiles import finders
from whitenoise.compress import Compressor


def test_bootstraps_stylesheet_is_stored_as_brotli_smaller_than_gzip(tmp_path):
    source = finders.find("bootstrap/css/bootstrap.min.css")
    copy = tmp_path / "bootstrap.min.css"
    copy.write_bytes(Path(source).read_bytes())

    written = list(Compressor(quiet=True).compress(str(copy)))

    sizes = {path.rsplit(".", 1)[1]: (tmp_path / path.rsplit("/", 1)[1]).stat().st_size
             for path in written}  # fmt: skip
    assert set(sizes) == {"gz", "br"}  # without the Brotli package, only gzip
    assert sizes["br"] < 0.8 * sizes["gz"]
    assert sizes["br"] < 25_000  # of 232 KB: most of what a patient's phone downloads
