// The public API, with the signed-in agent's bearer token. Every failure becomes an ApiError whose
// message the page shows (the API's one error shape, or a network failure), never a blank page.
export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export class Api {
  constructor(baseUrl, token) {
    this.baseUrl = (baseUrl || "").replace(/\/$/, "");
    this.token = token;
  }

  async request(method, path, body) {
    const headers = { Authorization: `Bearer ${this.token}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, "NETWORK", error.message);
    }
    if (response.status === 204) return null;
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(
        response.status,
        error.code || `HTTP_${response.status}`,
        error.message || response.statusText || `HTTP ${response.status}`,
        error.details || [],
      );
    }
    return data;
  }

  tasks(nextToken) {
    return this.request("GET", `/tasks${nextToken ? `?nextToken=${encodeURIComponent(nextToken)}` : ""}`);
  }
  board() {
    return this.request("GET", "/queues");
  }
  taskCase(taskId) {
    return this.request("GET", `/tasks/${encodeURIComponent(taskId)}/case`);
  }
  next() {
    return this.request("POST", "/tasks/next");
  }
  report(query) {
    return this.request("GET", `/reports?${query}`);
  }
  post(taskId, verb, body) {
    return this.request("POST", `/tasks/${encodeURIComponent(taskId)}/${verb}`, body);
  }
}
