/**
 * A button that opens the browser's file chooser (a hidden <input type="file">) and hands over the chosen
 * files; the one file picker of the panels (import RTSTRUCT, import SEG, load label map). The input's
 * data-testid is the button's plus "-input" (the e2e tests set files on it). The input is emptied after each
 * choice, so choosing the same file again fires again.
 */
import { useRef } from 'react';

export interface FilePickButtonProps {
  label: string;
  title: string;
  testId: string;
  /** The input's accept attribute, e.g. ".dcm,application/dicom". */
  accept: string;
  multiple?: boolean;
  disabled?: boolean;
  onFiles: (files: File[]) => void;
}

export function FilePickButton({ label, title, testId, accept, multiple, disabled, onFiles }: FilePickButtonProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button disabled={disabled} onClick={() => input.current?.click()} data-testid={testId} title={title}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        multiple={multiple}
        accept={accept}
        hidden
        data-testid={`${testId}-input`}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
    </>
  );
}
