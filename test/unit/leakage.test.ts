// Leakage between a held-out file and its training file (src/core/checks/leakage.ts): the pairing by name and by
// finetune.json, the leaks found, and the diagnostics' exact text and place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeaks, heldoutPartner, leakageOfArrayText, leakageOfFile, leakageOfLines, leakDiagnostic, trainPartner } from '../../src/core/checks/leakage';
import { indexLines } from '../../src/core/records/recordIndex';

const pc = (p: string, c: string) => JSON.stringify({ prompt: p, completion: c });

/** A fresh folder holding `files` (name -> text), removed after `fn`. */
function inFolder<T>(files: Record<string, string>, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-leak-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('trainPartner by name: bare split names beside train.*, prefixed names beside x<sep>train.*, case-insensitive', () => {
  inFolder({ 'train.jsonl': '', 'qa_train.jsonl': '', 'qa-train.json': '', 'x.train.jsonl': '', '_train.jsonl': '' }, (dir) => {
    for (const n of ['valid', 'validation', 'val', 'test', 'eval', 'dev', 'heldout', 'held-out', 'TEST', 'Valid']) {
      assert.equal(trainPartner(join(dir, `${n}.jsonl`)), join(dir, 'train.jsonl'), n);
      assert.equal(trainPartner(join(dir, `${n}.json`)), join(dir, 'train.jsonl'), `${n}.json falls back to train.jsonl`);
    }
    assert.equal(trainPartner(join(dir, 'qa_test.jsonl')), join(dir, 'qa_train.jsonl'));
    assert.equal(trainPartner(join(dir, 'qa-valid.jsonl')), join(dir, 'qa-train.json'));
    assert.equal(trainPartner(join(dir, 'qa-valid.json')), join(dir, 'qa-train.json'));
    assert.equal(trainPartner(join(dir, 'x.heldout.jsonl')), join(dir, 'x.train.jsonl'));
    // upper case names: x.train.JSONL is not there, x.train.jsonl is
    assert.equal(trainPartner(join(dir, 'x.EVAL.JSONL')), join(dir, 'x.train.jsonl'));
    // not a held-out name, or no partner beside it
    for (const n of [
      'train.jsonl',
      'notes.jsonl',
      'test.txt',
      'contest.jsonl',
      'qa.test.jsonl',
      'y.heldout.jsonl',
      'test.jsonl.bak',
      'test.csv',
      '_test.jsonl',
    ])
      assert.equal(trainPartner(join(dir, n)), undefined, n);
  });
  // a bare .json held-out prefers train.json
  inFolder({ 'train.json': '[]', 'train.jsonl': '' }, (dir) => {
    assert.equal(trainPartner(join(dir, 'test.json')), join(dir, 'train.json'));
    assert.equal(trainPartner(join(dir, 'test.jsonl')), join(dir, 'train.jsonl'));
  });
  inFolder({ 'train.json': '[]' }, (dir) => assert.equal(trainPartner(join(dir, 'dev.jsonl')), join(dir, 'train.json')));
  inFolder({ 'a.b.train.jsonl': '', 'a.train.jsonl': '' }, (dir) => {
    // the stem is all before the last <sep><split>.<ext>
    assert.equal(trainPartner(join(dir, 'a.b.test.jsonl')), join(dir, 'a.b.train.jsonl'));
  });
});

test('trainPartner and heldoutPartner by finetune.json: data.heldout names the file; anything else falls back to names', () => {
  inFolder(
    {
      'data/mine.jsonl': '',
      'data/check.jsonl': '',
      'data/test.jsonl': '',
      'data/train.jsonl': '',
    },
    (dir) => {
      const write = (data: unknown) => writeFileSync(join(dir, 'finetune.json'), JSON.stringify({ data }));
      write({ train: 'data/mine.jsonl', heldout: 'data/check.jsonl' });
      assert.equal(trainPartner(join(dir, 'data', 'check.jsonl')), join(dir, 'data', 'mine.jsonl'));
      assert.equal(heldoutPartner(join(dir, 'data', 'mine.jsonl')), join(dir, 'data', 'check.jsonl'));
      // the config does not name test.jsonl as held-out: the name rule pairs it with train.jsonl
      assert.equal(trainPartner(join(dir, 'data', 'test.jsonl')), join(dir, 'data', 'train.jsonl'));
      assert.equal(heldoutPartner(join(dir, 'data', 'train.jsonl')), join(dir, 'data', 'test.jsonl'));
      // data.train not a string, or data.heldout not a string: by name only
      write({ train: 3, heldout: 'data/check.jsonl' });
      assert.equal(trainPartner(join(dir, 'data', 'check.jsonl')), undefined);
      assert.equal(heldoutPartner(join(dir, 'data', 'mine.jsonl')), undefined);
      write({ train: 'data/mine.jsonl', heldout: 5 });
      assert.equal(trainPartner(join(dir, 'data', 'check.jsonl')), undefined);
      assert.equal(heldoutPartner(join(dir, 'data', 'mine.jsonl')), undefined);
      // a configured held-out file that does not exist is no partner
      write({ train: 'data/mine.jsonl', heldout: 'data/gone.jsonl' });
      assert.equal(heldoutPartner(join(dir, 'data', 'mine.jsonl')), undefined);
      // a configured held-out file that is the training file itself is no partner
      write({ train: 'data/mine.jsonl', heldout: 'data/mine.jsonl' });
      assert.equal(heldoutPartner(join(dir, 'data', 'mine.jsonl')), undefined);
      // a configured training file that is the held-out file itself is no partner (and names are not tried)
      write({ train: 'data/test.jsonl', heldout: 'data/test.jsonl' });
      assert.equal(trainPartner(join(dir, 'data', 'test.jsonl')), undefined);
      // an unreadable config: names only
      writeFileSync(join(dir, 'finetune.json'), '{ nope');
      assert.equal(trainPartner(join(dir, 'data', 'check.jsonl')), undefined);
      assert.equal(trainPartner(join(dir, 'data', 'test.jsonl')), join(dir, 'data', 'train.jsonl'));
      assert.equal(heldoutPartner(join(dir, 'data', 'train.jsonl')), join(dir, 'data', 'test.jsonl'));
    },
  );
  // heldoutPartner of a file in a folder that does not exist
  assert.equal(heldoutPartner(join(tmpdir(), 'ftstudio-no-such-folder-' + process.pid, 'train.jsonl')), undefined);
});

test('heldoutPartner by name: the first held-out name (sorted) whose partner is this file', () => {
  const names = ['validation.jsonl', 'valid.jsonl', 'val.jsonl', 'test.jsonl', 'heldout.jsonl', 'eval.jsonl', 'dev.jsonl'];
  const files = Object.fromEntries(['train.jsonl', 'qa.train.jsonl', 'qa.valid.jsonl', 'other.jsonl', ...names].map((n) => [n, '']));
  inFolder(files, (dir) => {
    assert.equal(heldoutPartner(join(dir, 'train.jsonl')), join(dir, 'dev.jsonl'));
    assert.equal(heldoutPartner(join(dir, 'qa.train.jsonl')), join(dir, 'qa.valid.jsonl'));
    assert.equal(heldoutPartner(join(dir, 'other.jsonl')), undefined);
    assert.equal(heldoutPartner(join(dir, 'test.jsonl')), undefined);
  });
});

test('findLeaks: an exact copy wins over a shared prompt; the first training line of each is named', () => {
  const train = indexLines([pc('Q1?', 'A1.'), pc('Q2?', 'A2.'), pc('Q1?', 'A1.'), pc('Q2?', 'B2.'), '', '{bad']);
  const trainP = indexLines([pc('Q1?', 'A1.'), pc('Q2?', 'A2.'), pc('Q1?', 'A1.'), pc('Q2?', 'B2.')], { withPrompt: true });
  const held = indexLines([pc('Q1?', 'A1.'), pc('Q2?', 'Other.'), pc('Q3?', 'A3.')], { withPrompt: true });
  assert.deepEqual(
    findLeaks(held, trainP).map((l) => [l.kind, l.heldout.line, l.trainLine]),
    [
      ['exact', 1, 1],
      ['prompt', 2, 2],
    ],
  );
  // without prompt ids only exact copies are found
  assert.deepEqual(
    findLeaks(indexLines([pc('Q1?', 'A1.'), pc('Q2?', 'Other.')]), train).map((l) => [l.kind, l.heldout.line, l.trainLine]),
    [['exact', 1, 1]],
  );
  assert.deepEqual(findLeaks([], trainP), []);
});

test('leakDiagnostic: the message of each kind, on the held-out record (a JSONL line, or a record inside a .json array)', () => {
  const held = { line: 3, id: 'x', len: 40 };
  assert.deepEqual(leakDiagnostic({ kind: 'exact', heldout: held, trainLine: 12 }, 'train.jsonl'), {
    line: 2,
    start: 0,
    end: 40,
    code: 'heldout-leak',
    severity: 'error',
    message: 'This held-out record is also in train.jsonl (line 12): remove it from one side, or held-out scores will be inflated.',
  });
  const d = leakDiagnostic({ kind: 'prompt', heldout: { line: 1, id: 'y', start: 4, len: 10 }, trainLine: 7 }, 'qa.train.json');
  assert.deepEqual([d.line, d.start, d.end, d.code], [0, 4, 14, 'heldout-prompt-leak']);
  assert.equal(d.message, 'The prompt of this held-out record is also in qa.train.json (line 7): keep prompts on one side only.');
  // no length known: one column
  const e = leakDiagnostic({ kind: 'prompt', heldout: { line: 2, id: 'z' }, trainLine: 1 }, 't');
  assert.deepEqual([e.line, e.start, e.end], [1, 0, 1]);
});

test('leakageOfFile: JSONL against JSONL, and a .json array against a .json array, each leak on its record', async () => {
  const train = [pc('Q1?', 'A1.'), pc('Q2?', 'A2.')].join('\n') + '\n';
  const held = [pc('Q9?', 'A9.'), pc('Q1?', 'A1.'), pc('Q2?', 'New.')].join('\n') + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-leakfile-'));
  try {
    writeFileSync(join(dir, 'train.jsonl'), train);
    writeFileSync(join(dir, 'test.jsonl'), held);
    const d = await leakageOfFile(join(dir, 'test.jsonl'));
    assert.deepEqual(
      d.map((x) => [x.line, x.start, x.end, x.code, x.message]),
      [
        [
          1,
          0,
          pc('Q1?', 'A1.').length,
          'heldout-leak',
          'This held-out record is also in train.jsonl (line 1): remove it from one side, or held-out scores will be inflated.',
        ],
        [
          2,
          0,
          pc('Q2?', 'New.').length,
          'heldout-prompt-leak',
          'The prompt of this held-out record is also in train.jsonl (line 2): keep prompts on one side only.',
        ],
      ],
    );
    assert.deepEqual(await leakageOfFile(join(dir, 'alone.jsonl')), []);
    // .json arrays: a one-line record is covered whole; a record over several lines is placed on its opening brace
    writeFileSync(join(dir, 'qa-train.json'), `[\n  ${pc('Q1?', 'A1.')},\n  ${pc('Q2?', 'A2.')}\n]\n`);
    const multi = JSON.stringify({ prompt: 'Q2?', completion: 'Other.' }, null, 2).split('\n').join('\n  ');
    writeFileSync(join(dir, 'qa-test.json'), `[\n  ${pc('Q1?', 'A1.')},\n  ${multi}\n]\n`);
    const arr = await leakageOfFile(join(dir, 'qa-test.json'));
    assert.deepEqual(
      arr.map((x) => [x.line, x.start, x.end, x.code, x.message.split(':')[0]]),
      [
        [1, 2, 2 + pc('Q1?', 'A1.').length, 'heldout-leak', 'This held-out record is also in qa-train.json (line 2)'],
        [2, 2, 3, 'heldout-prompt-leak', 'The prompt of this held-out record is also in qa-train.json (line 3)'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('leakageOfLines and leakageOfArrayText: an open document against its partner on disk, re-read when the partner changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-leaklive-'));
  try {
    const trainPath = join(dir, 'set_train.jsonl');
    writeFileSync(trainPath, pc('Q1?', 'A1.') + '\n');
    utimesSync(trainPath, new Date(), new Date(1_900_000_000_000));
    const lines = [pc('Q1?', 'A1.'), pc('Q2?', 'A2.')];
    const held = join(dir, 'set_eval.jsonl');
    assert.deepEqual(
      leakageOfLines(held, () => lines).map((d) => [d.line, d.code, d.message]),
      [[0, 'heldout-leak', 'This held-out record is also in set_train.jsonl (line 1): remove it from one side, or held-out scores will be inflated.']],
    );
    // the same mtime: the cached records are used
    writeFileSync(trainPath, pc('Q0?', 'A0.') + '\n' + pc('Q2?', 'A2.') + '\n');
    utimesSync(trainPath, new Date(), new Date(1_900_000_000_000));
    assert.deepEqual(
      leakageOfLines(held, () => lines).map((d) => [d.line, d.code]),
      [[0, 'heldout-leak']],
    );
    // a new mtime: read again
    utimesSync(trainPath, new Date(), new Date(1_900_000_100_000));
    assert.deepEqual(
      leakageOfLines(held, () => lines).map((d) => [d.line, d.code, d.message.match(/line \d+/)![0]]),
      [[1, 'heldout-leak', 'line 2']],
    );
    let asked = false;
    assert.deepEqual(
      leakageOfLines(join(dir, 'lonely.jsonl'), () => ((asked = true), lines)),
      [],
    );
    assert.equal(asked, false, 'no partner: the document is not read');
    // a held-out .json array in memory against a .json array on disk
    const arrTrain = join(dir, 'x-train.json');
    writeFileSync(arrTrain, `[${pc('Q1?', 'A1.')}, ${pc('Q5?', 'A5.')}]`);
    const text = `[\n${pc('Q5?', 'Different.')},\n ${pc('Q1?', 'A1.')}\n]`;
    assert.deepEqual(
      leakageOfArrayText(join(dir, 'x-dev.json'), () => text).map((d) => [d.line, d.start, d.end, d.code, d.message.match(/line \d+/)![0]]),
      [
        [1, 0, pc('Q5?', 'Different.').length, 'heldout-prompt-leak', 'line 1'],
        [2, 1, 1 + pc('Q1?', 'A1.').length, 'heldout-leak', 'line 1'],
      ],
    );
    assert.deepEqual(
      leakageOfArrayText(join(dir, 'y-dev.json'), () => text),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
