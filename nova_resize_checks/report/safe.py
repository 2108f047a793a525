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


"""Make report text safe to print, and review ids injective.

Review text is untrusted: an ESC sequence quoted from a review must not
reach the terminal (it could rewrite the lines above it), a control
character must not make JUnit ill-formed XML, and a file name that is not
UTF-8 must be shown, not crash the writer.  :func:`path` is injective
(two different paths never print the same) and is applied once, when a
path is read; :func:`text` and :func:`line` only escape control
characters, so applying them to what is already escaped changes nothing.
"""

import hashlib
import os
import re

# C0 controls but tab and newline, DEL, C1 controls, the bidirectional
# marks, overrides and isolates (which reorder what a terminal shows), the
# line and paragraph separators (which some viewers break lines at, so a
# review could forge a line of the report); surrogates left by a file name
# that was not UTF-8.
# Controls, bidirectional overrides, surrogates, and the two characters
# XML 1.0 forbids besides them (U+FFFE, U+FFFF).
_CONTROLS = ('\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f'
             '\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff')
_UNSAFE = re.compile('[%s]' % _CONTROLS)
# A path also escapes the backslash, so that its escaping is injective: a
# name holding the four characters "\x1b" never reads as one holding ESC.
_UNSAFE_PATH = re.compile('[\\\\%s]' % _CONTROLS)
_UNSAFE_LINE = re.compile('[\n\t]')
# Stems that need no escaping in a test id.
_ID_SAFE = re.compile(r'[^A-Za-z0-9_\-]')


def _escape(match):
    char = match.group(0)
    if char == '\\':
        return '\\\\'
    code = ord(char)
    if 0xdc80 <= code <= 0xdcff:
        # A byte of a file name that was not UTF-8 (surrogateescape).
        return '\\x%02x' % (code - 0xdc00)
    if code < 0x100:
        return '\\x%02x' % code
    return '\\u%04x' % code


def text(value):
    """``value`` (any object) as text with control characters escaped.

    Newlines and tabs are kept: this is for multi-line messages.  It is
    idempotent (backslashes are left as they are), so a message that
    quotes an already escaped path prints it once.
    """
    if not isinstance(value, str):
        value = str(value)
    return _UNSAFE.sub(_escape, value)


def line(value):
    """``value`` as one line: :func:`text`, and newlines/tabs escaped."""
    return _UNSAFE_LINE.sub(lambda m: '\\n' if m.group(0) == '\n' else
                            '\\t', text(value))


def path(value):
    """A path (str or bytes) as printable text, one line, injective.

    For paths as they are read (:mod:`nova_resize_checks.inputs`), once:
    the reports carry this form and print it with :func:`line`.
    """
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if not isinstance(value, str):
        value = str(value)
    return _UNSAFE_LINE.sub(lambda m: '\\n' if m.group(0) == '\n' else
                            '\\t', _UNSAFE_PATH.sub(_escape, value))


def xml_text(value):
    """``value`` as text XML 1.0 can carry (nothing left to escape)."""
    return text(value)


def test_ids(paths, prefix, suffixes=()):
    """One test id per path, never the same for two different paths.

    An id is ``prefix`` and the file's name without its review suffix,
    with everything but letters, digits, ``-`` and ``_`` made ``_``.
    When that readable form is shared by two different paths (``z
    victim.txt`` and ``z_victim.txt``, ``a.md`` and ``a.txt``, the same
    name in two directories), each of them gets a digest of its whole
    path appended, so no path can take another's id, whatever order
    they come in.  The same path given twice gets its id, then the id
    and ``.2``.
    """
    stems = {}
    for item in paths:
        name = line(item).rsplit('/', 1)[-1]
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[:-len(suffix)]
                break
        stems[item] = _ID_SAFE.sub('_', name) or 'review'
    owners = {}
    for item, stem in stems.items():
        owners.setdefault(stem, set()).add(item)
    ids = {}
    for item, stem in stems.items():
        if len(owners[stem]) > 1 or _DIGEST_TAIL.search(stem):
            # A stem that itself ends like a digest gets one too, so that
            # no readable id can equal a digested one.
            stem = '%s_%s' % (stem, _digest(item)[:10])
        ids[item] = prefix + stem
    if len(set(ids.values())) < len(ids):
        # Ten hex digits collided: the whole digest then.
        ids = {item: prefix + '%s_%s' % (stems[item], _digest(item))
               for item in ids}
    out, seen = [], {}
    for item in paths:
        # The same path named twice: two tests, the second ``.2`` (stems
        # hold no dot, so this cannot be another path's id).
        seen[item] = seen.get(item, 0) + 1
        out.append(ids[item] + ('.%d' % seen[item] if seen[item] > 1
                                else ''))
    return out


_DIGEST_TAIL = re.compile(r'_[0-9a-f]{10}(?:[0-9a-f]{54})?$')


def _digest(item):
    data = item if isinstance(item, bytes) else os.fsencode(item)
    return hashlib.sha256(data).hexdigest()
