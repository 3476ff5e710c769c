import { storageIssues, stringProblem } from '@crm-push/db';
import type { RequestHandler } from 'express';
import { invalid } from './validate';

/**
 * Refuses, before any route sees it, input PostgreSQL cannot store as given (see
 * storageIssues): in the JSON body, the query and the path. One rule for every route, so a
 * bad value is a 400 naming it instead of a failed statement that could take other requests'
 * rows down with it.
 */
export const refuseUnstorableInput: RequestHandler = (req, _res, next) => {
  const pathProblem = decodedPathProblem(req.path);
  if (pathProblem) return next(invalid([{ path: '(path)', message: pathProblem }], 'request path'));
  const queryIssues = storageIssues(req.query);
  if (queryIssues.length) return next(invalid(queryIssues, 'query'));
  const bodyIssues = req.body === undefined ? [] : storageIssues(req.body);
  if (bodyIssues.length) return next(invalid(bodyIssues));
  next();
};

function decodedPathProblem(path: string): string | null {
  try {
    return stringProblem(decodeURIComponent(path));
  } catch {
    return 'is not valid percent-encoded UTF-8';
  }
}
