/* sahelkg: the small map of a place on its entity page. */
(function () {
  "use strict";
  for (const box of document.querySelectorAll(".minimap")) {
    let points = [];
    try { points = JSON.parse(box.dataset.points || "[]"); } catch (e) { points = []; }
    SahelMap.draw(box, points, { height: 260 });
  }
})();
