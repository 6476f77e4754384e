/* The directory search page: the map toggle, and keeping the form in step with the results after an
   htmx swap (a facet link or a chip changes the filters without touching the form). Everything works
   without this script too: links and the form do full page loads. */
(function () {
  "use strict";
  var MAP_OPEN = "monozukuri.search.map";
  var map = null;

  function markers() {
    var node = document.getElementById("search-markers");
    try { return node ? JSON.parse(node.textContent) : []; } catch (e) { return []; }
  }

  function drawMap(container) {
    if (typeof L === "undefined") { return; }
    if (map) { map.remove(); map = null; }
    map = L.map(container, { scrollWheelZoom: false, keyboard: true });
    var tiles = container.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, { attribution: container.getAttribute("data-tile-attribution") || "", maxZoom: 18 }).addTo(map);
    }
    var points = markers();
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.marker([p.lat, p.lon], { title: p.name, alt: p.name, keyboard: true }).addTo(map);
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;
      marker.bindPopup(link);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 }); }
    else { map.setView([35.69, 139.69], 10); }
  }

  function setMap(open) {
    var container = document.getElementById("search-map");
    var button = document.querySelector(".map-toggle");
    if (!container || !button) { return; }
    container.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    try { sessionStorage.setItem(MAP_OPEN, open ? "1" : ""); } catch (e) { /* private mode */ }
    if (open) { drawMap(container); } else if (map) { map.remove(); map = null; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".map-toggle") : null;
    if (button) { setMap(button.getAttribute("aria-expanded") !== "true"); }
  });

  function syncForm() {
    var results = document.querySelector(".search-results[data-query]");
    var form = document.getElementById("search-form");
    if (!results || !form) { return; }
    var params = new URLSearchParams(results.getAttribute("data-query"));
    ["municipality", "kind", "sort", "km", "postcode"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field !== document.activeElement && field.value !== (params.get(name) || "")) {
        field.value = params.get(name) || (name === "sort" ? "relevance" : "");
      }
    });
  }

  function afterRender() {
    syncForm();
    var open = false;
    try { open = sessionStorage.getItem(MAP_OPEN) === "1"; } catch (e) { open = false; }
    if (open) { setMap(true); }
  }

  // Text typed before htmx was ready (a slow page load) fired no search: once htmx has processed the
  // page, search for what the box holds if it is not what the results show.
  function catchUp(event) {
    if (event.target !== document.body) { return; }
    document.removeEventListener("htmx:load", catchUp);
    var box = document.getElementById("search-q");
    var results = document.querySelector(".search-results[data-query]");
    if (!box || !results || typeof htmx === "undefined") { return; }
    var shown = new URLSearchParams(results.getAttribute("data-query")).get("q") || "";
    if (box.value !== shown) { htmx.trigger(box, "search"); }
  }

  document.addEventListener("htmx:load", catchUp);
  document.addEventListener("htmx:afterSettle", afterRender);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", afterRender); }
  else { afterRender(); }
})();
