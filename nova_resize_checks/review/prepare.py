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


"""Prepare one review: everything before a run.

read (the container, the answer, review-system comments) -> versions
(which one the review read) -> claims -> edits (each claim on the
reviewed version, ported onto ours) -> the static gate.  The result is a
:class:`~nova_resize_checks.review.model.ReviewReport` with the versions
the review proposes, or a verdict already (``no-fix``, ``unverified``,
``unsafe``).  :func:`prepare_safely` turns a failure into that review's
``unverified``; :func:`prepare_cached` keeps preparations by content.
:mod:`nova_resize_checks.review.pipeline` runs what this prepares.
"""

import hashlib
import json
import os
import textwrap
import traceback

from nova_resize_checks import canonical
from nova_resize_checks import env
from nova_resize_checks import inputs
from nova_resize_checks.report import document
from nova_resize_checks.review.claims import anchored
from nova_resize_checks.review.claims import asked_code
from nova_resize_checks.review.claims import extract
from nova_resize_checks.review.claims import findings as findings_mod
from nova_resize_checks.review import edits
from nova_resize_checks.review import gate
from nova_resize_checks.review import model
from nova_resize_checks.review.read import container
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import systems
from nova_resize_checks.review import verdict as verdict_mod
from nova_resize_checks.review.versions import identify
from nova_resize_checks.review.versions import line_evidence
from nova_resize_checks.review.versions import port
from nova_resize_checks.review.versions import quotes
from nova_resize_checks.runs import results as runs


# Claims one review may make; the rest are reported, not applied.  Each
# claim is applied on its own as well (its own version, to say which claim
# weakens), up to MAX_SEPARATE; beyond that only all of them together.
MAX_CLAIMS = 40
MAX_SEPARATE = 10


def collect(paths):
    """Review files named by ``paths`` (files, or directories of them).

    Returns (files, problems); a path that cannot be used (see
    :func:`inputs.collect`) is a problem, not an exception.  Directories
    are walked in sorted order; only files with a review suffix are taken
    from them (sidecar files such as ``*.expect.json`` are skipped).
    """
    files, problems = [], []
    for path in paths:
        try:
            files.extend(r.path for r in inputs.collect([path]).reviews)
        except inputs.InputError as exc:
            problems.append(str(exc))
    return files, problems


class Context(object):
    """What every review is checked against (read once).

    ``static_gate=False`` is for tests only: it lets code the static gate
    would refuse reach the sandboxed runs, to prove the second layer holds
    on its own.
    """

    def __init__(self, static_gate=True, reviewed=None):
        self.static_gate = static_gate
        self.test_source = canonical.read_test()
        self.references = {'test': self.test_source}
        upstream = canonical.upstream_test()
        if upstream:
            self.references['upstream'] = upstream
        # The version of the test the reviews were written against, when
        # the user names it (--reviewed): line numbers and quotations are
        # read against it.
        if reviewed is not None:
            self.references['reviewed'] = reviewed
        # Installed nova's code that reviews quote (finish_resize and its
        # neighbours): a quotation of it proposes nothing.
        manager = _nova_manager()
        self.nova_sources = {'nova/compute/manager.py': manager} \
            if manager else {}
        self.helper_notes = []
        self.helper_names = findings_mod.nova_helper_names(
            findings=self.helper_notes)
        self.canonical = _make_version(self.test_source, (), 'canonical')
        self.known_digests = identify.known_digests(self.references)
        self.fingerprint = json.dumps(
            dict(env.versions(), code=env.code_digest(),
                 static_gate=static_gate,
                 reviewed=hashlib.sha256(
                     (reviewed or '').encode()).hexdigest()
                 if reviewed is not None else None), sort_keys=True)
        # Memos: many reviews propose the same changes; editing and gating
        # depend only on the changes, so each distinct one is done once.
        self._applied = {}
        self._unsafe = {}

    def apply(self, changes, reviewed=None):
        """edits.apply_changes on the canonical test, memoised.

        ``reviewed`` (a :class:`identify.Identified`) is the version the
        review was written against: when it is not ours, what the changes
        make is ported onto ours three ways (:mod:`versions.port`).
        """
        base = reviewed.digests if reviewed and \
            reviewed.name != identify.OURS else None
        key = (base, reviewed.deletable if base else None) + tuple(
            (c.kind, c.target, tuple(sorted(c.fields().items())))
            for c in changes)
        if key not in self._applied:
            if base is None:
                proposed = edits.apply_changes(self.test_source, changes,
                                               canonical.nova_reader)
            else:
                proposed = self._apply_ported(changes, reviewed)
            self._applied[key] = proposed
        cached = self._applied[key]
        # Re-attach this review's Change objects (spans differ).
        return model.ProposedVersion(
            cached.test_source, dict(cached.nova_overlay),
            [model.Applied(change, a.applied, a.reason)
             for change, a in zip(changes, cached.applied)])

    def _apply_ported(self, changes, reviewed):
        """Listings ported from the reviewed version, then the rest.

        A listing, snippet or diff shows the reviewed version's code, so
        what it makes of ours is ported (:meth:`_port`).  Changes that
        name their place (a line, a statement, a name) were already
        mapped onto ours when they were read: they apply after the port.
        """
        listed = [c for c in changes if c.kind in _LISTING_KINDS]
        rest = [c for c in changes if c.kind not in _LISTING_KINDS]
        first = self._port(edits.apply_changes(
            self.test_source, listed, canonical.nova_reader), reviewed)
        then = edits.apply_changes(first.test_source, rest,
                                   canonical.nova_reader)
        done = {id(a.change): a for a in first.applied + then.applied}
        return model.ProposedVersion(
            then.test_source, dict(first.nova_overlay, **then.nova_overlay),
            [done[id(c)] for c in changes])

    def _port(self, proposed, reviewed):
        """``proposed`` with its test ported from the reviewed version."""
        if proposed.test_source == self.test_source:
            return proposed
        try:
            source = port.port(reviewed.digests, self.test_source,
                               proposed.test_source, self.known_digests,
                               reviewed.deletable)
            port.keeps_assertions(self.test_source,
                                  proposed.test_source, source)
        except port.Conflict as exc:
            reason = ('written against the %s version; %s'
                      % (reviewed.name, exc))
            return model.ProposedVersion(
                self.test_source, dict(proposed.nova_overlay),
                [model.Applied(a.change, False, reason) if a.applied and
                 not _in_nova(a.change) else a for a in proposed.applied])
        return model.ProposedVersion(source, dict(proposed.nova_overlay),
                                     proposed.applied)

    def unsafe(self, version):
        if not self.static_gate:
            return []
        key = version.key()
        if key not in self._unsafe:
            self._unsafe[key] = _unsafe(version)
        return self._unsafe[key]


# Changes that show code of the reviewed version (see Context.apply).
_LISTING_KINDS = (model.TEST_FULL, model.TEST_SNIPPET, model.TEST_DIFF)


def _in_nova(change):
    """Whether a change edits a nova file (the overlay), not the test."""
    return change.kind == model.NOVA_DIFF or change.target.in_nova


def _make_version(test_source, overlay, label):
    """A run-layer Version of exactly the code that will run.

    Every source is decoded as Python would decode a file holding it
    (:func:`runs.source_text`: coding declaration, byte-order mark), so the
    static gate, the matrix's still-caught rule and the run all read one
    text; the version's identity is a digest of those bytes.
    """
    return runs.Version(runs.source_text(test_source),
                        tuple((path, runs.source_text(text))
                              for path, text in overlay), label=label)


def _version(proposed, label):
    return _make_version(proposed.test_source,
                         tuple(sorted(proposed.nova_overlay.items())), label)


def _unsafe(version):
    """Static gate over what a version would run.

    Overlaid nova files are judged against the installed originals, so
    only what the review adds counts.
    """
    found = list(gate.check(version.test_source, 'proposed test'))
    for path, text in version.overlay:
        try:
            baseline = canonical.nova_reader(path)
        except (OSError, ValueError):
            baseline = None
        found.extend(gate.check(text, path, baseline=baseline))
    return [f for f in found if f.kind == model.UNSAFE_CODE]


def _read(path, data, context):
    """(ParsedReview, anchored.Read or None) of one review.

    A review system's comments (Gerrit, GitHub, SARIF; recognised by
    content) are read by :mod:`claims.anchored`; the text its words were
    rendered into is parsed like any review.
    """
    if data is None:
        try:
            data = inputs.collect([path]).reviews[0].data
        except (inputs.InputError, IndexError):
            return container.read_review(path), None
    text, errors = container.decode_bytes(data)
    found = systems.sniff(text)
    system = None
    if found is not None:
        try:
            system = anchored.read(found[0], found[1], context.references,
                                   canonical.nova_reader)
        except systems.Unreadable as exc:
            errors = list(errors) + ['%s comments: %s' % (found[0], exc)]
            text = ''
        else:
            text = system.text
    parsed = container.parse_text(text, path)
    parsed.errors[:0] = errors
    if system is not None:
        parsed.notes[:0] = ['read as %s comments: %d comment(s)'
                            % (found[0], len(system.anchors))] + system.notes
    return parsed, system


def _anchored_version(system, context):
    """Ours, when suggestions were carried onto ours line by line."""
    return identify.Identified(
        identify.OURS, port.digests(context.test_source),
        'review-system comments made on the %s version(s); each suggestion '
        'was carried onto ours line by line' % ', '.join(system.revisions))


def _claims(report, path, data, context):
    """Read the review: (parsed, reviewed version, changes, findings)."""
    parsed, system = _read(path, data, context)
    report.claims_no_defects = parsed.claims_no_defects
    report.cwe_ids = tuple(parsed.cwe_ids)
    named = quotes.named_version(parsed.text)
    reviewed = identify.identify(
        parsed, context.references, named,
        line_evidence.numbered_version(parsed.text, context.references)
        if named is None else (None, None))
    if system is not None and system.revisions:
        reviewed = _anchored_version(system, context)
    report.reviewed_version, report.reviewed_why = reviewed.name, reviewed.why
    report.read_notes = list(parsed.notes)
    changes, found = extract.extract(parsed, context.references,
                                     context.nova_sources,
                                     numbering=reviewed.numbering)
    if system is not None:
        report.comments = list(system.anchors)
        changes = list(system.changes) + list(changes)
        found = list(system.findings) + list(found)
    if len(changes) > MAX_CLAIMS:
        found = list(found) + [model.Finding(
            model.INPUT_ERROR, 'the review makes %d claims; only the first '
            '%d are read (a review may make at most %d)'
            % (len(changes), MAX_CLAIMS, MAX_CLAIMS))]
        changes = changes[:MAX_CLAIMS]
    found = list(found) + list(findings_mod.check_claims(
        parsed, changes, context.references, context.helper_names))
    return parsed, reviewed, changes, found


def _versions(report, combined, applied, reviewed, context, label):
    """The versions to run, by key.

    All changes together and, up to MAX_SEPARATE applied changes, each
    alone (to say which one weakens).
    """
    versions = {}
    proposed = _version(combined, label)
    versions[proposed.key()] = proposed
    report.proposed_key = proposed.key()
    if len(applied) > MAX_SEPARATE:
        report.findings.append(model.Finding(
            model.INPUT_ERROR, '%d changes were applied; with more than %d '
            'they are judged together only, not one by one'
            % (len(applied), MAX_SEPARATE)))
        for item in applied:
            item.version_key = proposed.key()
    elif len(applied) > 1:
        for index, item in enumerate(report.changes):
            if not item.applied:
                continue
            alone = context.apply([item.change], reviewed)
            if alone.applied and alone.applied[0].applied:
                version = _version(alone, '%s#%d' % (label, index + 1))
                versions.setdefault(version.key(), version)
                item.version_key = version.key()
    else:
        applied[0].version_key = proposed.key()
    return versions


def _refuse(report, messages, applied=True):
    """The review is ``unsafe``: nothing of it is run."""
    report.verdict, report.reason = verdict_mod.unsafe(messages,
                                                       applied=applied)
    for item in report.changes:
        item.version_key = None
    report.proposed_key = None
    return report


def prepare(path, context, data=None):
    """Parse, extract, check and apply one review; nothing is run.

    ``data``: the review's bytes, already read (:mod:`inputs`); else it
    is read from ``path``.
    """
    report = model.ReviewReport(path=path)
    parsed, reviewed, changes, found = _claims(report, path, data, context)
    report.findings = found
    shown = _asked_unsafe(parsed, context) if context.static_gate else []
    if shown:
        # Code a sentence asks for is judged even where the reading made
        # no change of it (a table cell, a JSON field): nothing runs.
        report.findings.extend(shown)
        return _refuse(report, {f.message for f in shown}, applied=False)
    if not changes:
        report.verdict, report.reason = verdict_mod.without_changes(
            found, parsed.claims_no_defects, parsed.errors,
            parsed.verdict_line)
        return report

    combined = context.apply(changes, reviewed)
    report.changes = [model.ChangeReport(a.change, a.applied, a.reason)
                      for a in combined.applied]
    applied = [c for c in report.changes if c.applied]
    refused = _unapplied_unsafe(
        report.changes,
        context.nova_sources.get('nova/compute/manager.py')) \
        if context.static_gate else []
    if refused:
        # Code the review proposes is judged even where it could not be
        # applied here: nothing runs, and the review is flagged for it.
        report.findings.extend(refused)
        return _refuse(report, {f.message for f in refused}, applied=False)
    if not applied:
        report.verdict, report.reason = verdict_mod.none_applied(
            report.changes)
        return report

    versions = _versions(report, combined, applied, reviewed, context,
                         os.path.basename(path))
    seen = set()
    for version in versions.values():
        for finding in context.unsafe(version):
            if finding.message not in seen:
                seen.add(finding.message)
                report.findings.append(finding)
    if seen:
        return _refuse(report, seen)
    report.versions = versions
    return report


def _unapplied_unsafe(items, manager):
    """Static-gate findings for the code of changes that were not applied.

    ``manager``: installed nova's compute manager (the Context read it
    once), the baseline of the check, or None.

    Only the parts that parse are judged (:func:`gate.pieces`: the code
    whole, without line numbers or diff markers, under a stand-in head
    for a fragment that continues a compound statement, or its runs of
    lines); what does not parse is reported by the edit that refused it,
    not guessed at.
    """
    found = []
    for item in items:
        if item.applied:
            continue
        code = item.change.fields().get('code') or ''
        if item.change.kind in (model.TEST_DIFF, model.NOVA_DIFF):
            code = diffs.new_side(code)
        found.extend(_unsafe_pieces(textwrap.dedent(code), 'proposed code',
                                    manager))
    return found


def _asked_unsafe(parsed, context):
    """Static-gate findings for the inline code sentences ask for.

    See :mod:`.claims.asked_code`; nova's manager is the baseline.
    """
    manager = context.nova_sources.get('nova/compute/manager.py')
    found = []
    for line, code in asked_code.asked(parsed):
        found.extend(_unsafe_pieces(code.strip(), 'review line %d' % line,
                                    manager))
    return found


def _unsafe_pieces(code, where, manager):
    """The gate's unsafe findings for the parts of ``code`` that parse.

    ``code`` is decoded as Python would decode it first; ``manager``
    (nova's compute manager, or None) is the baseline.
    """
    return [f for piece in gate.pieces(runs.source_text(code))
            for f in gate.check(piece, where, baseline=manager)
            if f.kind == model.UNSAFE_CODE]


def _nova_manager():
    """Installed nova's compute manager, or None.

    Code a review shows without it applying is often nova's own, quoted
    (``finish_resize``'s except block): what nova itself does there is not
    the review's doing, so it is the baseline of that check.
    """
    try:
        return canonical.nova_reader('nova/compute/manager.py')
    except (OSError, ValueError):
        return None


def prepare_safely(path, context, data=None):
    try:
        return prepare(path, context, data)
    except Exception as exc:
        # A review must never take the others down with it.
        report = model.ReviewReport(path=path, verdict=verdict_mod.UNVERIFIED,
                                    internal_error=True)
        report.reason = 'internal error while reading this review: %s: %s' % (
            type(exc).__name__, exc)
        report.findings.append(model.Finding(
            model.INPUT_ERROR, report.reason + '\n' +
            ''.join(traceback.format_exception_only(type(exc), exc))))
        return report


def _prepared_key(path, context, data=None):
    """Content key of a review's preparation, or None if unreadable."""
    if data is None:
        try:
            data = inputs.collect([path]).reviews[0].data
        except (inputs.InputError, IndexError):
            return None
    digest = hashlib.sha256()
    for part in (data, context.test_source.encode(),
                 context.references.get('upstream', '').encode(),
                 context.fingerprint.encode(),
                 os.path.basename(path).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def prepare_cached(path, context, store=None, data=None):
    """prepare(), answered from ``store`` when it can be.

    A review is prepared once per distinct content: the same bytes, the
    same canonical test and the same nova and package versions.
    """
    key = _prepared_key(path, context, data) if store is not None else None
    if key is not None:
        stored = store.read(key)
        if stored is not None:
            try:
                return document.load_prepared(path, stored)
            except (KeyError, TypeError, ValueError):
                pass
    report = prepare_safely(path, context, data)
    if key is not None and not any(f.kind == model.INPUT_ERROR and
                                   f.message.startswith('internal error')
                                   for f in report.findings):
        store.write(key, document.dump_prepared(report))
    return report
