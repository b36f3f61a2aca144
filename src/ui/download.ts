/** Browser download of bytes (the RTSTRUCT, SEG and report exports). Needs a DOM. */
/** Saves bytes as a download in the browser. */
export function downloadFile(bytes: Uint8Array, fileName: string, type = 'application/dicom'): void {
  const blob = new Blob([bytes.slice().buffer as ArrayBuffer], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
