// The course website (tools/site_html.py): a link to a citation or an answer opens the folded list
// (<details>) that holds its target, in every browser, and scrolls to it.
function openTarget() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) return;
  for (let fold = target.closest('details'); fold; fold = fold.parentElement.closest('details')) fold.open = true;
  target.scrollIntoView();
}
window.addEventListener('hashchange', openTarget);
openTarget();

// On a narrow screen the course contents start folded, so the page's own text comes first.
const contents = document.querySelector('.toc details');
if (contents && window.matchMedia('(max-width: 60rem)').matches) contents.open = false;
