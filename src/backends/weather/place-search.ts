import { notFound } from "../../errors/not-found.js";
import { findSimilar } from "../../errors/similar-matches.js";
import type { ToolError } from "../../errors/tool-error.js";
import { validationError } from "../../errors/validation-error.js";
import type { UpstreamClient } from "../upstream/http-client.js";
import type { Place } from "./weather-types.js";
import { geocodingResponse, parseBody } from "./weather-schemas.js";

const MAX_NAME_LENGTH = 100;
// Open-Meteo returns nothing for one character and only exact matches for two.
const MIN_NAME_LENGTH = 2;
const COUNT = 5;
// A qualified name ("Paris, Texas") is filtered after the search, so ask for more candidates.
const QUALIFIED_COUNT = 20;
const SUGGESTION_COUNT = 20;
const MAX_SUGGESTIONS = 5;
// Open-Meteo's search is by prefix from three characters on; shorter prefixes match too much.
const MIN_PREFIX = 3;

/** A place name split into what the geocoder searches and what narrows the results. */
interface PlaceQuery {
  readonly raw: string;
  /** "Springfield" of "Springfield, Illinois, US". */
  readonly name: string;
  /** "illinois", "us": each must match the region, country or country code. */
  readonly qualifiers: readonly string[];
}

/**
 * Finds places by name. Open-Meteo searches names only, so "Springfield, Illinois" is searched as
 * "Springfield" and narrowed by region/country; the labels we return are in that form, so a model
 * can pass any of them back. Nothing found is a not_found whose similar_matches come from looser
 * searches (shorter prefixes of the name), ranked by similarity to what was asked.
 */
export async function geocodePlaces(
  client: UpstreamClient,
  location: string,
  signal: AbortSignal,
): Promise<Place[]> {
  const query = parsePlaceQuery(location);
  const found = await search(
    client,
    query.name,
    query.qualifiers.length > 0 ? QUALIFIED_COUNT : COUNT,
    signal,
  );
  const matching = found.filter((place) => matchesQualifiers(place, query.qualifiers));
  if (matching.length > 0) return matching.slice(0, COUNT);
  if (found.length > 0) {
    // The name exists, only not where the caller said: those places are the best suggestions.
    throw placeNotFound(query.raw, uniqueLabels(found));
  }
  throw placeNotFound(query.raw, await suggestPlaces(client, query, signal));
}

function parsePlaceQuery(location: string): PlaceQuery {
  const raw = location.trim();
  const [name = "", ...rest] = raw.split(",").map((part) => part.trim());
  if (raw.length > MAX_NAME_LENGTH || name.length < MIN_NAME_LENGTH) {
    throw validationError({
      field: "location",
      received: location,
      expected: `a place name of ${MIN_NAME_LENGTH} to ${MAX_NAME_LENGTH} characters, optionally followed by region and country`,
      examples: ["Berlin", "Springfield, Illinois", "Paris, France"],
    });
  }
  return { raw, name, qualifiers: rest.filter((part) => part.length > 0).map((part) => part.toLowerCase()) };
}

async function search(
  client: UpstreamClient,
  name: string,
  count: number,
  signal: AbortSignal,
): Promise<Place[]> {
  const response = await client.getJson("v1/search", { signal, query: { name, count } });
  const { results } = parseBody(client.service, geocodingResponse, response.body);
  return results.map((result) => ({
    name: result.name,
    label: [result.name, result.admin1, result.country]
      .filter((part) => part !== undefined && part !== "")
      .join(", "),
    latitude: result.latitude,
    longitude: result.longitude,
    ...(result.country === undefined ? {} : { country: result.country }),
    ...(result.country_code === undefined ? {} : { country_code: result.country_code }),
    ...(result.admin1 === undefined ? {} : { admin1: result.admin1 }),
    ...(result.timezone === undefined ? {} : { timezone: result.timezone }),
  }));
}

/** Each qualifier names the region, country or country code (a prefix will do: "Ill" for Illinois). */
function matchesQualifiers(place: Place, qualifiers: readonly string[]): boolean {
  const fields = [place.admin1, place.country, place.country_code]
    .filter((field): field is string => field !== undefined)
    .map((field) => field.toLowerCase());
  return qualifiers.every((qualifier) =>
    fields.some((field) => field === qualifier || field.startsWith(qualifier)),
  );
}

/**
 * Labels of places whose names look like the one asked for, from searches on shorter prefixes
 * ("Londn" → "Lon"). Suggestions are a courtesy: if those searches fail, the answer is still
 * not_found, just without suggestions; only a cancellation is passed on.
 */
async function suggestPlaces(
  client: UpstreamClient,
  query: PlaceQuery,
  signal: AbortSignal,
): Promise<string[]> {
  const prefixes = [...new Set([Math.ceil(query.name.length * 0.6), MIN_PREFIX])]
    .filter((length) => length >= MIN_PREFIX && length < query.name.length)
    .map((length) => query.name.slice(0, length));
  for (const prefix of prefixes) {
    let places: Place[];
    try {
      places = await search(client, prefix, SUGGESTION_COUNT, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      return [];
    }
    const names = findSimilar(
      query.name,
      places.map((place) => place.name),
      { limit: MAX_SUGGESTIONS },
    );
    if (names.length > 0) {
      const ranked = names.flatMap((name) => places.filter((place) => place.name === name));
      return uniqueLabels(ranked).slice(0, MAX_SUGGESTIONS);
    }
  }
  return [];
}

function uniqueLabels(places: readonly Place[]): string[] {
  return [...new Set(places.map((place) => place.label))].slice(0, MAX_SUGGESTIONS);
}

function placeNotFound(location: string, similar: readonly string[]): ToolError {
  const [best] = similar;
  const error = notFound({
    resource_type: "location",
    identifier: location,
    suggestion:
      best === undefined
        ? 'Check the spelling, or try a nearby larger town; add the region or country after a comma ("Paris, France").'
        : `Did you mean ${best}? Call again with one of similar_matches as the location.`,
  });
  return similar.length === 0 ? error : error.with({ details: { similar_matches: similar } });
}
