import assert from 'node:assert/strict';
import { test } from 'node:test';

import { splitShellWords } from '../lib/shellwords';

const splits: Array<[label: string, text: string, words: string[]]> = [
  ['single word', '/bin/job', ['/bin/job']],
  ['words split on blanks and tabs', ' /bin/job  a\tb ', ['/bin/job', 'a', 'b']],
  ['empty text has no words', '   ', []],
  ['single quotes keep everything literal', `echo 'a "b" \\n $x * | ;'`, ['echo', 'a "b" \\n $x * | ;']],
  ['single quotes join with neighbours', `a'b c'd`, ['ab cd']],
  ['empty single quotes make an empty word', `echo ''`, ['echo', '']],
  ['empty double quotes make an empty word', 'echo ""', ['echo', '']],
  ['double quotes keep blanks and globs', 'echo "a  b * ? [c]"', ['echo', 'a  b * ? [c]']],
  ['double quotes: backslash escapes "', 'echo "say \\"hi\\""', ['echo', 'say "hi"']],
  ['double quotes: backslash escapes $', 'echo "cost \\$5"', ['echo', 'cost $5']],
  ['double quotes: backslash escapes backquote', 'echo "\\`x\\`"', ['echo', '`x`']],
  ['double quotes: backslash escapes backslash', 'echo "a\\\\b"', ['echo', 'a\\b']],
  ['double quotes: other backslashes stay', 'echo "a\\nb"', ['echo', 'a\\nb']],
  ['double quotes: backslash-newline is removed', 'echo "a\\\nb"', ['echo', 'ab']],
  ['single quote inside double quotes', `echo "it's"`, ['echo', "it's"]],
  ['double quote inside single quotes', `echo 'say "x"'`, ['echo', 'say "x"']],
  ['backslash outside quotes escapes a blank', 'echo a\\ b', ['echo', 'a b']],
  ['backslash outside quotes escapes operators', 'echo \\| \\; \\& \\< \\> \\( \\)', ['echo', '|', ';', '&', '<', '>', '(', ')']],
  ['backslash outside quotes escapes $ and globs', 'echo \\$HOME \\* \\? \\[', ['echo', '$HOME', '*', '?', '[']],
  ['backslash outside quotes escapes a quote', "echo \\'x\\\"", ['echo', "'x\""]],
  ['backslash-newline outside quotes joins lines', 'echo a\\\nb', ['echo', 'ab']],
  ['escaped percent is a literal percent', 'date +\\%Y-\\%m', ['date', '+%Y-%m']],
  ['escaped percent in single quotes', "date '+\\%H'", ['date', '+%H']],
  ['escaped percent in double quotes', 'date "+\\%H"', ['date', '+%H']],
  ['escaped percent alone is a word', '\\%', ['%']],
  ['backslash in single quotes stays', "echo 'a\\b'", ['echo', 'a\\b']],
  ['backslash before a closing single quote stays', "echo 'a\\'", ['echo', 'a\\']],
  ['double backslash in single quotes stays', "echo 'a\\\\b'", ['echo', 'a\\\\b']],
  ['escaped percent inside a comment', '/bin/job # 50\\%', ['/bin/job']],
  ['hash starting a word starts a comment', '/bin/job a # a comment with | and *', ['/bin/job', 'a']],
  ['hash inside a word is literal', '/bin/job a#b', ['/bin/job', 'a#b']],
  ['quoted hash is literal', "/bin/job '#x'", ['/bin/job', '#x']],
  ['tilde inside a word is literal', '/bin/job a~b --x=~/y', ['/bin/job', 'a~b', '--x=~/y']],
  ['quoted tilde is literal', "/bin/job '~' \\~", ['/bin/job', '~', '~']],
  ['equals sign in an argument', '/bin/job KEY=value', ['/bin/job', 'KEY=value']],
  ['quoted assignment as program name', "'A=b' x", ['A=b', 'x']],
  ['assignment with an escaped equals sign', 'A\\=b x', ['A=b', 'x']],
  ['keyword as an argument', '/bin/echo if then !', ['/bin/echo', 'if', 'then', '!']],
  ['quoted keyword in command position', "'if' x", ['if', 'x']],
  ['keyword joined to empty quotes', 'if"" x', ['if', 'x']],
  ['braces and exclamation in words', '/bin/job {a,b} a!b', ['/bin/job', '{a,b}', 'a!b']],
  ['closing bracket alone is literal', '/bin/job ]', ['/bin/job', ']']],
  ['non-ASCII text', '/bin/job héllo 日本', ['/bin/job', 'héllo', '日本']],
];

for (const [label, text, words] of splits) {
  test(`splits ${label}`, () => {
    assert.deepEqual(splitShellWords(text), { words });
  });
}

const rejections: Array<[label: string, text: string, message: RegExp]> = [
  ['pipe', '/bin/a | b', /unquoted "\|" at column 8 is a pipe in sh/],
  ['semicolon', '/bin/a; b', /unquoted ";" at column 7 is a command separator/],
  ['ampersand', '/bin/a &', /unquoted "&" at column 8 is a background/],
  ['double ampersand', '/bin/a && b', /unquoted "&" at column 8/],
  ['output redirection', '/bin/a >/tmp/x', /unquoted ">" at column 8 is a redirection/],
  ['input redirection', '/bin/a </tmp/x', /unquoted "<" at column 8 is a redirection/],
  ['fd redirection', '/bin/a 2>&1', /unquoted ">" at column 9/],
  ['opening parenthesis', '(/bin/a)', /unquoted "\(" at column 1 is a subshell/],
  ['closing parenthesis', '/bin/a x)', /unquoted "\)" at column 9/],
  ['unquoted dollar', '/bin/a $HOME', /"\$" unquoted at column 8 starts a parameter or command substitution/],
  ['dollar in double quotes', '/bin/a "$HOME"', /"\$" inside double quotes at column 9/],
  ['command substitution', '/bin/a $(date)', /"\$" unquoted at column 8/],
  ['unquoted backquote', '/bin/a `date`', /"`" unquoted at column 8 starts a command substitution/],
  ['backquote in double quotes', '/bin/a "`date`"', /"`" inside double quotes at column 9/],
  ['star glob', '/bin/a *.log', /unquoted "\*" at column 8 is a file name pattern/],
  ['question mark glob', '/bin/a file?', /unquoted "\?" at column 12 is a file name pattern/],
  ['bracket glob', '/bin/a [ab]', /unquoted "\[" at column 8 is a file name pattern/],
  ['unescaped percent', 'date +%Y', /unescaped "%" at column 7: cron\(8\) would end the command there/],
  ['percent in single quotes', "date '+%Y'", /unescaped "%" at column 8/],
  ['percent in double quotes', 'date "+%Y"', /unescaped "%" at column 8/],
  ['percent after an escaped backslash', '/bin/a \\\\%', /unescaped "%" at column 10/],
  ['percent after an escaped backslash in single quotes', "/bin/a '\\\\%'", /unescaped "%" at column 11/],
  ['percent inside a comment', '/bin/a # 50%', /unescaped "%" at column 12/],
  ['unterminated single quote', "/bin/a 'abc", /unterminated single quote starting at column 8/],
  ['unterminated double quote', '/bin/a "abc', /unterminated double quote starting at column 8/],
  ['quote reopened after a backslash in single quotes', "/bin/a 'a\\'b'", /unterminated single quote starting at column 13/],
  ['trailing backslash', '/bin/a \\', /backslash at column 8 ends the command and escapes nothing/],
  ['backslash at the end of an open quote', "/bin/a 'abc\\", /unterminated single quote starting at column 8/],
  ['backslash at the end of open double quotes', '/bin/a "abc\\', /unterminated double quote starting at column 8/],
  ['leading tilde', '~/bin/job', /"~" at column 1 starts a word, and sh would replace it with a home directory/],
  ['tilde starting an argument', '/bin/job ~user/x', /"~" at column 10 starts a word/],
  ['unquoted newline', '/bin/a\n/bin/b', /unquoted newline at column 7 ends the command/],
  ['keyword if', 'if /bin/a', /"if" is a shell keyword in command position/],
  ['negation', '! /bin/a', /"!" is a shell keyword in command position/],
  ['brace group', '{ /bin/a', /"\{" is a shell keyword/],
  ['while loop', 'while /bin/a', /"while" is a shell keyword/],
  ['assignment with a quoted value', "A='b c' /bin/a", /"A=b c" would set the variable A/],
  ['leading assignment', 'TZ=UTC /bin/date', /"TZ=UTC" would set the variable TZ in sh instead of naming the program; set it with a "TZ=value" line above the entry/],
];

for (const [label, text, message] of rejections) {
  test(`rejects ${label}`, () => {
    assert.throws(() => splitShellWords(text), (error: unknown) => {
      assert.ok(error instanceof TypeError, 'a TypeError');
      assert.match(error.message, message);
      return true;
    });
  });
}

test('shell-syntax errors suggest a script', () => {
  for (const text of ['/bin/a | b', '/bin/a $X', '/bin/a *', 'date +%s', 'if x']) {
    assert.throws(() => splitShellWords(text), /put shell syntax in a script/, text);
  }
});
