# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""Review bytes to text: the codec (BOMs, BOM-less UTF-16, UTF-8 with
replacements), NUL bytes and line ends.

:func:`decode_bytes` and :func:`normalise_text` never raise; the review's
size limits are :mod:`.container`'s.
"""

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, 'utf-32-le'),
    (codecs.BOM_UTF32_BE, 'utf-32-be'),
    (codecs.BOM_UTF8, 'utf-8'),
    (codecs.BOM_UTF16_LE, 'utf-16-le'),
    (codecs.BOM_UTF16_BE, 'utf-16-be'),
)


# How much of a review's start tells text from binary.
_SNIFF_CHARS = 65536


def _utf16_guess(data):
    """Return a UTF-16 codec name if BOM-less bytes look like UTF-16."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return 'utf-16-le'
    if even_nul > 0.3 and odd_nul < 0.05:
        return 'utf-16-be'
    return None


def decode_bytes(data):
    """Decode review bytes; return ``(text, errors)``.

    BOMs pick the codec (UTF-8, UTF-16 and UTF-32 of either order);
    BOM-less UTF-16 is recognised by its NUL bytes; everything else is
    UTF-8 with invalid sequences replaced by U+FFFD.  The text comes back
    normalised (see :func:`normalise_text`).  ``errors`` is non-empty only
    when the bytes do not look like text at all.
    """
    errors = []
    codec = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            codec = name
            data = data[len(bom):]
            break
    if codec is None:
        codec = _utf16_guess(data) or 'utf-8'
    raw = data.decode(codec, errors='replace')
    text = normalise_text(raw)
    if raw:
        # Counted before NUL bytes and line ends are normalised away.
        sample = raw[:_SNIFF_CHARS]
        bad = sample.count('\ufffd') + sum(
            1 for c in sample if c < ' ' and c not in '\n\r\t\f\v')
        if bad > 0.3 * len(sample) and (bad > 16 or len(sample) < 64):
            errors.append('review does not look like text (%d of %d '
                          'characters unreadable)' % (bad, len(sample)))
    return text, errors


def normalise_text(text):
    """Drop a leading BOM and NUL bytes; make every line end ``\\n``."""
    if text.startswith('\ufeff'):
        text = text[1:]
    if '\x00' in text:
        text = text.replace('\x00', '')
    if '\r' in text:
        text = text.replace('\r\n', '\n').replace('\r', '\n')
    return text
