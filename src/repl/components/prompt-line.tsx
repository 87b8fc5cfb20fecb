// The prompt: the search being typed, coloured by the SPL lexer, with the cursor shown inverse.
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { highlight, type TokenKind } from '../highlight.js';
import type { EditorState } from '../line-editor.js';
import { visible } from '../display.js';

// SGR codes written directly: one <Text> per line instead of one per token keeps a keypress
// redraw cheap on long searches (Ink lays out every <Text> node with Yoga).
const SGR: Record<TokenKind, string> = {
  command: '36;1',
  'unknown-command': '31;4',
  keyword: '35;1',
  string: '32',
  macro: '33',
  function: '34;1',
  field: '96',
  operator: '90',
  number: '92',
  value: '',
  pipe: '35;1',
  punct: '90',
  param: '93',
  session: '36',
  error: '31;4',
  plain: '',
};

const colour = !process.env.NO_COLOR;

/** A piece of the search, its control characters shown (Tab can complete a value from the data). */
function paint(text: string, kind: TokenKind, cursor: boolean): string {
  const codes = [colour ? SGR[kind] : '', cursor ? '7' : ''].filter(Boolean).join(';');
  const shown = visible(text);
  return codes ? `\x1b[${codes}m${shown}\x1b[0m` : shown;
}

interface Piece {
  text: string;
  kind: TokenKind;
  cursor: boolean;
}

/** Highlighted segments cut into lines, with the character under the cursor as its own piece. */
function piecesByLine(editor: EditorState): Piece[][] {
  const lines: Piece[][] = [[]];
  let offset = 0;
  const push = (text: string, kind: TokenKind, cursor: boolean) => {
    const parts = text.split('\n');
    parts.forEach((p, i) => {
      if (i > 0) lines.push([]);
      if (p) lines[lines.length - 1]!.push({ text: p, kind, cursor });
    });
  };
  for (const seg of highlight(editor.text)) {
    const end = offset + seg.text.length;
    if (editor.cursor >= offset && editor.cursor < end) {
      const at = editor.cursor - offset;
      push(seg.text.slice(0, at), seg.kind, false);
      const ch = seg.text[at]!;
      if (ch === '\n') {
        lines[lines.length - 1]!.push({ text: ' ', kind: 'plain', cursor: true });
        lines.push([]);
      } else {
        lines[lines.length - 1]!.push({ text: ch, kind: seg.kind, cursor: true });
      }
      push(seg.text.slice(at + 1), seg.kind, false);
    } else {
      push(seg.text, seg.kind, false);
    }
    offset = end;
  }
  if (editor.cursor >= editor.text.length) lines[lines.length - 1]!.push({ text: ' ', kind: 'plain', cursor: true });
  return lines;
}

export function PromptLine({ label, editor, showCursor = true }: { label: string; editor: EditorState; showCursor?: boolean }) {
  const lines = useMemo(() => piecesByLine(editor).map((pieces) => pieces.map((p) => paint(p.text, p.kind, p.cursor && showCursor)).join('')), [editor, showCursor]);
  const cont = '...> '.padStart(label.length);
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i}>
          <Text color="green" bold>{i === 0 ? label : cont}</Text>
          {line}
        </Text>
      ))}
    </Box>
  );
}
