// Progressive enhancement: without JavaScript the token is selectable in its text box.
const copy = document.getElementById("copy");
const token = document.getElementById("token");
copy.hidden = false;
copy.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(token.value);
  } catch (error) {
    token.select();
    document.execCommand("copy");
  }
  copy.textContent = "Copied";
});
