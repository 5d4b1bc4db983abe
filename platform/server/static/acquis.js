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

// Fields that only matter for one answer of a radio group (data-shown-when="NAME=VALUE") are
// hidden while another answer is chosen; without this script they simply stay visible.
document.querySelectorAll('[data-shown-when]').forEach((block) => {
  const [name, value] = block.dataset.shownWhen.split('=');
  const radios = document.querySelectorAll(`input[type=radio][name="${name}"]`);
  const update = () => {
    const chosen = [...radios].find((r) => r.checked);
    block.hidden = !chosen || chosen.value !== value;
  };
  radios.forEach((r) => r.addEventListener('change', update));
  update();
});

// A table wider than its box scrolls inside it: such a box is made reachable from the keyboard
// (and named after the table's caption) only while it does scroll, so wide screens get no
// extra tab stop.
const scrollBoxes = document.querySelectorAll('.table-scroll');
const markScrolling = () => scrollBoxes.forEach((box) => {
  if (box.scrollWidth > box.clientWidth) {
    box.tabIndex = 0;
    box.setAttribute('role', 'region');
    const caption = box.querySelector('caption');
    box.setAttribute('aria-label', caption ? caption.textContent.trim() : document.title);
  } else {
    box.removeAttribute('tabindex');
    box.removeAttribute('role');
    box.removeAttribute('aria-label');
  }
});
markScrolling();
window.addEventListener('resize', markScrolling);
