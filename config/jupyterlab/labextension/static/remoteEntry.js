// The course's stylesheet for JupyterLab (and Notebook 7), as a prebuilt ("federated") extension with a style
// entry only.  JupyterLab loads this file from share/jupyter/labextensions/vkp-teaching/, then asks the container
// below for "./style" (its own loader: jupyterlab/staging/index.js, createModule); the module adds one <link>
// to style.css, which sits beside this file.  No build step, no dependency, no other code: the rules are in
// style.css.
(function () {
  var here = document.currentScript && document.currentScript.src ? document.currentScript.src : '';
  var base = here.replace(/[^/]*$/, '');
  function style() {
    if (!document.getElementById('vkp-teaching-style')) {
      var link = document.createElement('link');
      link.id = 'vkp-teaching-style';
      link.rel = 'stylesheet';
      link.href = base + 'style.css';
      document.head.appendChild(link);
    }
    return {};
  }
  var container = {
    init: function () { return Promise.resolve(); },
    get: function (module) {
      if (module === './style') {
        return Promise.resolve(function () { return style(); });
      }
      return Promise.reject(new Error('vkp-teaching has no module ' + module));
    }
  };
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB['vkp-teaching'] = container;
})();
