// Progressive enhancement only: every page works without it. Buttons marked data-copy are
// hidden until this runs; they copy their value and say so with the label the page gave them.
document.querySelectorAll('button[data-copy]').forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      button.textContent = button.dataset.copied;
    } catch (e) {
      button.textContent = button.dataset.failed;
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});
