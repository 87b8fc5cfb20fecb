// The prompt: the search being typed, coloured by the SPL lexer, with the cursor shown inverse.
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { highlight, type TokenKind } from '../highlight.js';
import type { EditorState } from '../line-editor.js';

const COLORS: Record<TokenKind, { color?: string; bold?: boolean; underline?: boolean; dimColor?: boolean }> = {
  command: { color: 'cyan', bold: true },
  'unknown-command': { color: 'red', underline: true },
  keyword: { color: 'magenta', bold: true },
  string: { color: 'green' },
  macro: { color: 'yellow' },
  function: { color: 'blue', bold: true },
  field: { color: 'cyanBright' },
  operator: { color: 'gray' },
  number: { color: 'greenBright' },
  value: {},
  pipe: { color: 'magenta', bold: true },
  punct: { color: 'gray' },
  param: { color: 'yellowBright' },
  session: { color: 'cyan' },
  error: { color: 'red', underline: true },
  plain: {},
};

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
  const lines = useMemo(() => piecesByLine(editor), [editor]);
  const cont = '...> '.padStart(label.length);
  return (
    <Box flexDirection="column">
      {lines.map((pieces, i) => (
        <Text key={i}>
          <Text color="green" bold>{i === 0 ? label : cont}</Text>
          {pieces.map((p, k) => (
            <Text key={k} {...COLORS[p.kind]} inverse={p.cursor && showCursor}>
              {p.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
