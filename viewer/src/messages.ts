/**
 * The message box every viewer page has (#messages): one message per topic, replaced when the
 * topic speaks again and removed with null. A page that only appends gives each message its own
 * topic.
 */
export function setMessage(box: HTMLElement, topic: string, text: string | null): void {
  let node = Array.from(box.children).find((c) => (c as HTMLElement).dataset.topic === topic) as HTMLElement | undefined;
  if (text === null) {
    node?.remove();
    return;
  }
  if (!node) {
    node = document.createElement('p');
    node.className = 'message';
    node.dataset.topic = topic;
    box.appendChild(node);
  }
  node.textContent = text;
}
