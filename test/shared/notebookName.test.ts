import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { notebookName } from '../../shared/src/notebookName.ts';

test('a notebook is read by its file name, whatever folders hold it', () => {
  assert.is(notebookName('week3/hw1.ipynb'), 'hw1.ipynb');
  assert.is(notebookName('course/week1/lab.ipynb'), 'lab.ipynb');
  assert.is(notebookName('lab.ipynb'), 'lab.ipynb');
  assert.is(notebookName('/abs/path/x.ipynb'), 'x.ipynb');
  assert.is(notebookName('folder/'), 'folder', 'a trailing slash does not leave an empty name');
  assert.is(notebookName(''), '');
});

test.run();
