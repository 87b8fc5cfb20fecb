// Raw key input from Ink's stdin handling (it splits escape sequences), decoded by keys.ts.
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKey, splitInput, type KeyPress } from './keys.js';

export function useKeys(handler: (key: KeyPress) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);
  useEffect(() => {
    const onInput = (data: string) => {
      for (const part of splitInput(String(data))) current.current(decodeKey(part));
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
    };
  }, [events]);
}
