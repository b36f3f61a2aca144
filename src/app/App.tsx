export function App() {
  return <div>AttentionAnatomy</div>;
}
