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


"""The reference sources a review is read against, read once.

The versions of the test by name (``test`` is ours, ``reviewed`` the one
given with ``--reviewed``, then upstream's known versions), split into
lines, tokenised and parsed once per distinct set (:func:`of`): the
claims stage reads its line numbers, names and trees from here.
"""

import ast
import functools
import re


class References(object):
    """The reference sources, read once."""

    def __init__(self, reference_sources):
        self.sources = {}
        for name, src in (reference_sources or {}).items():
            if isinstance(src, str):
                self.sources[name] = src
        self.lines = {n: s.split('\n') for n, s in self.sources.items()}
        self.tokens = set()
        for src in self.sources.values():
            self.tokens.update(re.findall(r'[A-Za-z_]\w*', src))
        self.trees = {}
        for name, src in self.sources.items():
            try:
                self.trees[name] = ast.parse(src)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass

    def ordered(self):
        """Names: ``test`` first, ``reviewed`` next, then the others."""
        return sorted(self.sources,
                      key=lambda n: (n != 'test', n != 'reviewed', n))

    def ordered_lines(self):
        """The lines of each source, in :meth:`ordered` order."""
        return [self.lines[name] for name in self.ordered()]


@functools.lru_cache(maxsize=16)
def _of(items):
    return References(dict(items))


def of(reference_sources):
    """:class:`References` of ``{name: source}``, built once per set."""
    return _of(tuple(sorted(
        (name, src) for name, src in (reference_sources or {}).items()
        if isinstance(src, str))))
