/** Mounts the dashboard. Everything shown comes from the collector this page was served by. */
import { render } from 'preact';
import { App } from './App.tsx';
import './styles.css';

render(<App />, document.getElementById('app')!);
